package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import java.text.ParseException;
import java.util.List;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import org.junit.jupiter.api.Test;

class ParseCacheTest {
    private final ParseCache cache = new ParseCache(new AddressFactoryImpl(), new HeaderFactoryImpl());

    @Test
    void everyCallerGetsItsOwnCopy() throws Exception {
        SipURI first = (SipURI) cache.uri("sip:bob@127.0.0.1:5070");
        first.setTransportParam("tcp"); // what Leg does for a TCP call
        first.setUser("mallory");
        SipURI second = (SipURI) cache.uri("sip:bob@127.0.0.1:5070");
        assertThat(second.toString()).isEqualTo("sip:bob@127.0.0.1:5070");
        assertThat(second).isNotSameAs(first);

        Address a = cache.address("\"Alice\" <sip:alice@127.0.0.1>");
        ((SipURI) a.getURI()).setPort(9);
        assertThat(cache.address("\"Alice\" <sip:alice@127.0.0.1>").toString()).isEqualTo("\"Alice\" <sip:alice@127.0.0.1>");

        ToHeader to = (ToHeader) cache.header("To", "<sip:bob@127.0.0.1>");
        to.setTag("abc");
        assertThat(((ToHeader) cache.header("To", "<sip:bob@127.0.0.1>")).getTag()).isNull();
    }

    @Test
    void listHeadersSplitAndPerRequestHeadersAreNotKept() throws Exception {
        List<Header> allow = cache.headers("Allow", "INVITE, ACK, BYE");
        assertThat(allow).extracting(Header::toString).containsExactly("Allow: INVITE\r\n", "Allow: ACK\r\n", "Allow: BYE\r\n");
        assertThat(cache.headers("Allow", "INVITE, ACK, BYE")).hasSize(3);
        int kept = cache.size();
        cache.header("Identity", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln;info=<http://127.0.0.1/c.pem>;alg=ES256;ppt=shaken");
        cache.header("Authorization", "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"");
        assertThat(cache.size()).isEqualTo(kept);
    }

    @Test
    void badTextStillFailsEveryTime() {
        assertThatThrownBy(() -> cache.uri("sip:bob@[::1")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> cache.uri("sip:bob@[::1")).isInstanceOf(ParseException.class);
        assertThat(cache.size()).isZero();
    }
}
