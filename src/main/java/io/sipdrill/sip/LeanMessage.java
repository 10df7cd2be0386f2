package io.sipdrill.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SIP message as load mode's lean UDP path reads it: the start line, the headers as written (in
 * order, folded lines joined), the body, and the few values the transaction and dialog layers
 * need. Header names are compared through {@link SipMessageView#canonical}, so compact forms work.
 */
final class LeanMessage {
    final String method;      // the request's method, or the CSeq method of a response
    final int status;         // 0 for a request
    final String reason;
    final String requestUri;
    final List<Map.Entry<String, String>> headers;
    final String body;
    final String text;

    private LeanMessage(String method, int status, String reason, String requestUri,
                        List<Map.Entry<String, String>> headers, String body, String text) {
        this.method = method;
        this.status = status;
        this.reason = reason;
        this.requestUri = requestUri;
        this.headers = headers;
        this.body = body;
        this.text = text;
    }

    boolean isRequest() { return status == 0; }

    /** Parses a datagram; null when it is not a SIP message (it is then dropped, as RFC 3261 18.3 allows). */
    static LeanMessage parse(byte[] data, int length) {
        String text = new String(data, 0, length, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        int bodyStart = end < 0 ? text.length() : end + 4;
        String head = end < 0 ? text : text.substring(0, end);
        int firstEnd = head.indexOf("\r\n");
        String first = firstEnd < 0 ? head : head.substring(0, firstEnd);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int at = firstEnd < 0 ? head.length() : firstEnd + 2;
        String name = null;
        StringBuilder value = null;
        while (at < head.length()) {
            int next = head.indexOf("\r\n", at);
            if (next < 0) next = head.length();
            String line = head.substring(at, next);
            at = next + 2;
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && value != null) {
                value.append(' ').append(line.strip()); // a folded continuation
                continue;
            }
            if (name != null) headers.add(Map.entry(name, value.toString()));
            int colon = line.indexOf(':');
            if (colon <= 0) return null;
            name = line.substring(0, colon).strip();
            value = new StringBuilder(line.substring(colon + 1).strip());
        }
        if (name != null) headers.add(Map.entry(name, value.toString()));
        String body = text.substring(Math.min(bodyStart, text.length()));
        String length0 = first(headers, "content-length");
        if (length0 != null) {
            try {
                int n = Integer.parseInt(length0.strip());
                byte[] raw = body.getBytes(StandardCharsets.UTF_8);
                if (n < raw.length) body = new String(raw, 0, n, StandardCharsets.UTF_8);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        String cseq = first(headers, "cseq");
        if (cseq == null || first(headers, "call-id") == null || first(headers, "via") == null) return null;
        String cseqMethod = cseq.substring(cseq.indexOf(' ') + 1).strip();
        if (first.startsWith("SIP/2.0 ")) {
            String[] parts = first.split(" ", 3);
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (RuntimeException e) {
                return null;
            }
            if (status < 100 || status > 699) return null;
            return new LeanMessage(cseqMethod, status, parts.length > 2 ? parts[2] : "", "", List.copyOf(headers), body, text);
        }
        String[] parts = first.split(" ");
        if (parts.length != 3 || !parts[2].equals("SIP/2.0")) return null;
        return new LeanMessage(parts[0], 0, "", parts[1], List.copyOf(headers), body, text);
    }

    String header(String name) {
        return first(headers, name);
    }

    List<String> all(String name) {
        String wanted = SipMessageView.canonical(name);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) if (SipMessageView.canonical(h.getKey()).equals(wanted)) out.add(h.getValue());
        return out;
    }

    private static String first(List<Map.Entry<String, String>> headers, String name) {
        String wanted = SipMessageView.canonical(name);
        for (Map.Entry<String, String> h : headers) if (SipMessageView.canonical(h.getKey()).equals(wanted)) return h.getValue();
        return null;
    }

    long cseqNumber() {
        String cseq = header("CSeq").strip();
        try {
            return Long.parseLong(cseq.substring(0, cseq.indexOf(' ')));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The branch parameter of the top Via. */
    String branch() {
        return param(topOfList(header("Via")), "branch");
    }

    String callId() { return header("Call-ID").strip(); }

    String fromTag() { return param(afterAddress(header("From")), "tag"); }

    String toTag() { return param(afterAddress(header("To")), "tag"); }

    /** The URI in the first Contact, or null. */
    String contactUri() {
        String c = header("Contact");
        return c == null ? null : addressUri(topOfList(c));
    }

    /** Each Record-Route entry as written ("<sip:p;lr>"), top first. */
    List<String> recordRoute() {
        List<String> out = new ArrayList<>();
        for (String value : all("Record-Route")) out.addAll(splitList(value));
        return out;
    }

    SipMessageView view(boolean withText) {
        return new SipMessageView(method, status, reason, requestUri, headers, body,
                withText ? text : "");
    }

    // ---- small parsers ---------------------------------------------------------------------

    /** The first element of a comma-separated header value (commas inside <> or quotes do not count). */
    static String topOfList(String value) {
        if (value == null) return null;
        List<String> all = splitList(value);
        return all.isEmpty() ? value : all.get(0);
    }

    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int angle = 0;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) quoted = !quoted;
            else if (!quoted && c == '<') angle++;
            else if (!quoted && c == '>') angle--;
            else if (!quoted && angle == 0 && c == ',') {
                out.add(value.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(value.substring(start).strip());
        return out;
    }

    /** The part of a name-addr after its URI (where its parameters are). */
    static String afterAddress(String value) {
        if (value == null) return "";
        int close = value.indexOf('>');
        return close >= 0 ? value.substring(close + 1) : value.contains(";") ? value.substring(value.indexOf(';')) : "";
    }

    /** The URI of a name-addr or addr-spec. */
    static String addressUri(String value) {
        if (value == null) return null;
        int open = value.indexOf('<');
        int close = value.indexOf('>');
        if (open >= 0 && close > open) return value.substring(open + 1, close).strip();
        int semi = value.indexOf(';');
        return (semi >= 0 ? value.substring(0, semi) : value).strip();
    }

    /** A ;name=value parameter, or null. */
    static String param(String params, String name) {
        if (params == null) return null;
        for (String p : params.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).strip();
                int comma = v.indexOf(',');
                return comma >= 0 ? v.substring(0, comma) : v;
            }
        }
        return null;
    }
}
