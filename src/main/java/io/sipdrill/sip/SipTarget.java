package io.sipdrill.sip;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;

/**
 * A URI someone asked sipdrill to call (a Refer-To, a Contact): its host for policy checks and the
 * headers embedded in it (RFC 3261 19.1.1; Replaces per RFC 3891), split from the URI to dial.
 */
public record SipTarget(String uri, String user, String host, int port, Map<String, String> embeddedHeaders) {
    private static final gov.nist.javax.sip.address.AddressFactoryImpl ADDRESSES =
            new gov.nist.javax.sip.address.AddressFactoryImpl();

    /** Parses "sip:carol@host?Replaces=..." or "<sip:...>" or a name-addr; throws SipException if not sip:. */
    public static SipTarget parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        URI uri;
        try {
            Address address = ADDRESSES.createAddress(trimmed);
            uri = address.getURI();
        } catch (Exception e) {
            throw new SipException("not a valid URI: " + trimmed);
        }
        if (!(uri instanceof SipURI sip) || sip.isSecure()) {
            throw new SipException("only sip: URIs can be called, not " + uri.getScheme() + ": (" + trimmed + ")");
        }
        Map<String, String> embedded = new LinkedHashMap<>();
        for (Iterator<?> names = sip.getHeaderNames(); names != null && names.hasNext(); ) {
            String name = (String) names.next();
            embedded.put(name, URLDecoder.decode(sip.getHeader(name), StandardCharsets.UTF_8));
        }
        gov.nist.javax.sip.address.SipUri dial = (gov.nist.javax.sip.address.SipUri) sip.clone();
        dial.removeHeaders();
        String host = sip.getHost();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new SipTarget(dial.toString(), sip.getUser(), host, sip.getPort(), Map.copyOf(embedded));
    }
}
