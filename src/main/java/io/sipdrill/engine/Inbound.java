package io.sipdrill.engine;

import io.sipdrill.sip.SipMessageView;

/** Something that reached the scenario from the network, stamped with when it arrived. */
sealed interface Inbound {
    long nanos();

    /** A request from the peer, already answered with `answeredWith` (0 for ACK). */
    record Request(long nanos, SipMessageView message, int answeredWith) implements Inbound { }

    record Response(long nanos, SipMessageView message) implements Inbound { }

    /** A request sipdrill sent got no final response (transaction timeout). */
    record Timeout(long nanos, String method) implements Inbound { }

    record TransportError(long nanos, String method, String reason) implements Inbound { }

    /**
     * A redirect chain that led nowhere (loop, no usable Contact, targets exhausted, too deep):
     * stands for the INVITE's outcome, with the last final response and why no retry was made.
     */
    record RedirectFailed(long nanos, SipMessageView last, String why, String fix) implements Inbound { }

    static String describe(Inbound in) {
        if (in instanceof Request r) return r.message().method() + summary(r.message());
        if (in instanceof Response r) return r.message().status() + " " + r.message().reason()
                + " to " + r.message().cseqMethod() + reason(r.message());
        if (in instanceof Timeout t) return "no response to " + t.method() + " (transaction timed out)";
        if (in instanceof RedirectFailed f) return f.last().status() + " " + f.last().reason() + " to INVITE (" + f.why() + ")";
        TransportError e = (TransportError) in;
        return "transport error sending " + e.method() + ": " + e.reason();
    }

    /** The peer's own account of a failure (RFC 3326 Reason header), when it gives one. */
    private static String reason(SipMessageView m) {
        if (m.status() < 300) return "";
        return m.header("Reason").map(r -> {
            java.util.regex.Matcher text = java.util.regex.Pattern.compile("text\\s*=\\s*\"([^\"]*)\"").matcher(r);
            return " (Reason: " + (text.find() ? text.group(1) : r) + ")";
        }).orElse("");
    }

    private static String summary(SipMessageView m) {
        String frag = Sipfrag.statusLine(m);
        return frag == null ? "" : " (sipfrag: " + frag + ")";
    }
}
