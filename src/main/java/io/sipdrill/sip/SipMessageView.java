package io.sipdrill.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sip.header.CSeqHeader;
import javax.sip.header.Header;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * An immutable, stack-independent copy of a SIP message: what the engine, the roles and the
 * reports read. Header names are matched case-insensitively and compact forms are understood.
 */
public record SipMessageView(
        String method, int status, String reason, String requestUri,
        List<Map.Entry<String, String>> headers, String body, String text) {

    private static final Map<String, String> COMPACT = Map.ofEntries(
            Map.entry("i", "call-id"), Map.entry("m", "contact"), Map.entry("e", "content-encoding"),
            Map.entry("l", "content-length"), Map.entry("c", "content-type"), Map.entry("f", "from"),
            Map.entry("s", "subject"), Map.entry("k", "supported"), Map.entry("t", "to"),
            Map.entry("v", "via"), Map.entry("r", "refer-to"), Map.entry("b", "referred-by"),
            Map.entry("o", "event"), Map.entry("u", "allow-events"), Map.entry("x", "session-expires"));

    public boolean isRequest() { return status == 0; }

    /** For a response, the method of the request it answers (from CSeq). */
    public String cseqMethod() {
        String cseq = header("CSeq").orElse("");
        int space = cseq.indexOf(' ');
        return space < 0 ? "" : cseq.substring(space + 1).trim();
    }

    public long cseqNumber() {
        String cseq = header("CSeq").orElse("").trim();
        int space = cseq.indexOf(' ');
        try {
            return Long.parseLong(space < 0 ? cseq : cseq.substring(0, space));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public Optional<String> header(String name) {
        List<String> all = headers(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    public List<String> headers(String name) {
        String wanted = canonical(name);
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (canonical(h.getKey()).equals(wanted)) values.add(h.getValue());
        }
        return values;
    }

    /** The first line: "INVITE sip:bob@host SIP/2.0" or "SIP/2.0 202 Accepted". */
    public String startLine() {
        return isRequest() ? method + " " + requestUri + " SIP/2.0" : "SIP/2.0 " + status + " " + reason;
    }

    /** A short label for ladders and verdicts: "INVITE" or "202 Accepted (REFER)". */
    public String label() {
        return isRequest() ? method : status + " " + reason + " (" + cseqMethod() + ")";
    }

    /** Header names seen so far and their canonical forms: few distinct names, looked up often. */
    private static final Map<String, String> CANONICAL = new java.util.concurrent.ConcurrentHashMap<>();

    static String canonical(String name) {
        String known = CANONICAL.get(name);
        if (known != null) return known;
        String lower = name.trim().toLowerCase(Locale.ROOT);
        String canonical = COMPACT.getOrDefault(lower, lower);
        if (CANONICAL.size() < 1024) CANONICAL.put(name, canonical);
        return canonical;
    }

    /** A copy with the full text (for traces). */
    static SipMessageView of(Message message) {
        return of(message, true);
    }

    /**
     * A copy; without the text for the engine and roles, which read headers and body only (encoding
     * the whole message again for each one is the largest cost of copying it).
     */
    static SipMessageView of(Message message, boolean withText) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Iterator<?> names = message.getHeaderNames(); names.hasNext(); ) {
            String name = (String) names.next();
            for (Iterator<?> values = message.getHeaders(name); values.hasNext(); ) {
                headers.add(Map.entry(name, headerValue((Header) values.next())));
            }
        }
        // headers the stack could not parse are kept aside by it; a verdict must still see them
        if (message instanceof gov.nist.javax.sip.message.SIPMessage sip) {
            for (var it = sip.getUnrecognizedHeaders(); it != null && it.hasNext(); ) {
                String line = it.next();
                int colon = line.indexOf(':');
                if (colon > 0) headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
        }
        byte[] raw = message.getRawContent();
        String body = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
        String text = withText ? message.toString() : "";
        if (message instanceof Request request) {
            return new SipMessageView(request.getMethod(), 0, "", request.getRequestURI().toString(),
                    List.copyOf(headers), body, text);
        }
        Response response = (Response) message;
        String method = ((CSeqHeader) message.getHeader(CSeqHeader.NAME)).getMethod();
        return new SipMessageView(method, response.getStatusCode(), response.getReasonPhrase(), "",
                List.copyOf(headers), body, text);
    }

    private static String headerValue(Header header) {
        // the value alone, without encoding the name and splitting it off again
        if (header instanceof gov.nist.javax.sip.header.SIPHeader sip) return sip.getHeaderValue().trim();
        String encoded = header.toString();
        int colon = encoded.indexOf(':');
        return (colon < 0 ? encoded : encoded.substring(colon + 1)).trim();
    }
}
