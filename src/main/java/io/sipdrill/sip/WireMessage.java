package io.sipdrill.sip;

/** A message as it crossed the wire: when, which way, between which addresses. */
public record WireMessage(long epochMillis, boolean sent, String from, String to, SipMessageView message) {
    public String arrow() {
        return sent ? from + " -> " + to : to + " <- " + from;
    }
}
