package io.sipdrill.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request described, not typed: the stack fills in Via, tags, CSeq, Call-ID, Max-Forwards,
 * Contact, Route and Content-Length. In a dialog, requestUri, from and to come from the dialog and
 * the ones given here are ignored unless set as explicit header overrides.
 */
public record OutgoingRequest(String method, String requestUri, String from, String to,
                              List<Map.Entry<String, String>> headers, String contentType, String body) {

    public static OutgoingRequest inDialog(String method) {
        return new OutgoingRequest(method, null, null, null, List.of(), null, null);
    }

    public static OutgoingRequest outOfDialog(String method, String requestUri, String from, String to) {
        return new OutgoingRequest(method, requestUri, from, to, List.of(), null, null);
    }

    public OutgoingRequest header(String name, String value) {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers);
        all.add(Map.entry(name, value));
        return new OutgoingRequest(method, requestUri, from, to, List.copyOf(all), contentType, body);
    }

    public OutgoingRequest withBody(String type, String content) {
        return new OutgoingRequest(method, requestUri, from, to, headers, type, content);
    }
}
