package io.sipdrill.sip;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final gov.nist.javax.sip.header.HeaderFactoryImpl HEADERS =
            new gov.nist.javax.sip.header.HeaderFactoryImpl();

    /** One Contact of a 3xx: where to retry, with its q-value (1.0 when absent) and expires (-1 when absent). */
    public record Contact(SipTarget target, float q, int expires) { }

    /**
     * Parses the value of one Contact header (a name-addr with parameters, or a list of them).
     * Throws SipException saying what is wrong: unparseable, or not a sip: URI.
     */
    public static List<Contact> contacts(String headerValue) {
        List<Contact> out = new java.util.ArrayList<>();
        for (Object o : contactHeaders(headerValue)) {
            javax.sip.header.ContactHeader c = (javax.sip.header.ContactHeader) o;
            if (c.getAddress() == null || c.isWildCard()) throw new SipException("Contact \"*\" is not a place to retry");
            SipTarget target = parse(c.getAddress().getURI().toString());
            float q = c.getQValue() < 0 ? 1.0f : c.getQValue();
            out.add(new Contact(target, q, c.getExpires()));
        }
        return out;
    }

    /** Checks that a Contact header value parses (any URI scheme); throws SipException if not. */
    public static void checkContactSyntax(String headerValue) {
        contactHeaders(headerValue);
    }

    private static List<?> contactHeaders(String headerValue) {
        try {
            return HEADERS.createHeaders("Contact: " + headerValue);
        } catch (Exception e) {
            throw new SipException("it does not parse as a Contact (RFC 3261 20.10)");
        }
    }

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
