package io.sipdrill.sip;

/** A message as it crossed the wire: when, which way, between which addresses. */
public record WireMessage(long epochMillis, boolean sent, String from, String to, SipMessageView message) {

    /**
     * The messages in the order they crossed the wire. JAIN-SIP logs a sent message after writing
     * it, on the sending thread, so a quick answer can be logged first: sort by the stack's
     * timestamps, then move any response still ahead of its request to just after it.
     */
    public static java.util.List<WireMessage> inWireOrder(java.util.List<WireMessage> logged) {
        java.util.List<WireMessage> out = new java.util.ArrayList<>(logged);
        out.sort(java.util.Comparator.comparingLong(WireMessage::epochMillis));
        for (int i = 0; i < out.size(); i++) {
            WireMessage m = out.get(i);
            if (m.message().isRequest()) continue;
            for (int j = out.size() - 1; j > i; j--) {
                if (answers(m, out.get(j))) {
                    out.add(j, out.remove(i));
                    i--;
                    break;
                }
            }
        }
        return java.util.List.copyOf(out);
    }

    private static boolean answers(WireMessage response, WireMessage request) {
        SipMessageView r = response.message();
        SipMessageView q = request.message();
        return q.isRequest() && request.sent() != response.sent() && q.method().equals(r.cseqMethod())
                && q.cseqNumber() == r.cseqNumber() && q.header("Call-ID").equals(r.header("Call-ID"));
    }
    /** Hands the message to each observer; one that fails is logged and does not stop the others. */
    static void deliver(java.util.List<java.util.function.Consumer<WireMessage>> observers, WireMessage message) {
        for (java.util.function.Consumer<WireMessage> o : observers) {
            try {
                o.accept(message);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(WireMessage.class).warn("message observer failed", e);
            }
        }
    }

    public String arrow() {
        return sent ? from + " -> " + to : to + " <- " + from;
    }
}
