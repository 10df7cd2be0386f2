package io.sipdrill.sip;

import java.util.List;
import java.util.Map;

/** A response a UAS sends: status, optional reason, extra headers and an optional body. */
public record Reply(int status, String reason, List<Map.Entry<String, String>> headers,
                    String contentType, String body) {
    public static Reply of(int status) {
        return new Reply(status, null, List.of(), null, null);
    }

    public static Reply withBody(int status, String contentType, String body) {
        return new Reply(status, null, List.of(), contentType, body);
    }

    public Reply withReason(String newReason) {
        return new Reply(status, newReason, headers, contentType, body);
    }

    public Reply header(String name, String value) {
        var all = new java.util.ArrayList<>(headers);
        all.add(Map.entry(name, value));
        return new Reply(status, reason, List.copyOf(all), contentType, body);
    }
}
