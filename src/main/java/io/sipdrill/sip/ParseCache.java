package io.sipdrill.sip;

import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.URI;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;

/**
 * URIs, addresses and headers parsed once per text. A load run builds the same Request-URI, From,
 * To and header overrides for every call, and JAIN-SIP's lexers were the largest single cost of
 * building a request. JAIN-SIP objects are mutable (the stack sets tags and parameters on them),
 * so every caller gets its own deep copy and the parsed original is never handed out.
 * The cache holds at most {@value #MAX} texts; beyond that, texts are parsed each time.
 */
final class ParseCache {
    static final int MAX = 4096;

    /** Headers that differ in every request (a signature, credentials): not worth keeping. */
    private static final java.util.Set<String> PER_REQUEST =
            java.util.Set.of("identity", "authorization", "proxy-authorization");

    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final Map<String, URI> uris = new ConcurrentHashMap<>();
    private final Map<String, Address> addressesByText = new ConcurrentHashMap<>();
    private final Map<String, List<Header>> headersByText = new ConcurrentHashMap<>();

    ParseCache(AddressFactory addresses, HeaderFactory headers) {
        this.addresses = addresses;
        this.headers = headers;
    }

    URI uri(String text) throws ParseException {
        return (URI) parsed(uris, text, addresses::createURI).clone();
    }

    Address address(String text) throws ParseException {
        return (Address) parsed(addressesByText, text, addresses::createAddress).clone();
    }

    private interface Parser<T> {
        T parse(String text) throws ParseException;
    }

    /** The parsed original for a text (parsed now if new): callers copy it before use. */
    private static <T> T parsed(Map<String, T> map, String text, Parser<T> parser) throws ParseException {
        T parsed = map.get(text);
        if (parsed == null) {
            parsed = parser.parse(text);
            remember(map, text, parsed);
        }
        return parsed;
    }

    /** One header, or several for a comma-separated list such as Allow or Supported. */
    List<Header> headers(String name, String value) throws ParseException {
        if (PER_REQUEST.contains(name.toLowerCase(java.util.Locale.ROOT))) return parse(name, value);
        List<Header> parsed = parsed(headersByText, name + '\n' + value, key -> parse(name, value));
        if (parsed.size() == 1) return List.of((Header) parsed.get(0).clone());
        return parsed.stream().map(h -> (Header) h.clone()).toList();
    }

    @SuppressWarnings("unchecked")
    private List<Header> parse(String name, String value) throws ParseException {
        try {
            return List.of(headers.createHeader(name, value));
        } catch (ParseException singletonOnly) {
            return List.copyOf((List<Header>) headers.createHeaders(name + ": " + value));
        }
    }

    Header header(String name, String value) throws ParseException {
        return headers(name, value).get(0);
    }

    int size() {
        return uris.size() + addressesByText.size() + headersByText.size();
    }

    private static <T> void remember(Map<String, T> map, String text, T parsed) {
        if (map.size() < MAX) map.putIfAbsent(text, parsed);
    }
}
