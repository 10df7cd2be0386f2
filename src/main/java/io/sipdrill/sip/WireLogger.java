package io.sipdrill.sip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import java.util.function.Consumer;
import javax.sip.SipStack;

/**
 * The one hook on the wire: JAIN-SIP hands every message it sends or receives (retransmissions and
 * its own automatic answers included) to its server logger, which forwards it to the agent.
 */
public final class WireLogger implements ServerLogger {
    private volatile Consumer<WireMessage> sink = m -> { };

    void sink(Consumer<WireMessage> sink) { this.sink = sink; }

    /**
     * Over UDP the stack logs a received response twice, from the channel and again "before
     * processing" (over TCP only the latter): the same object, so it is taken once. A retransmission
     * is a new object and is kept, as it did cross the wire.
     */
    private final SIPMessage[] recentlyReceived = new SIPMessage[64];
    private int next;

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        if (!sender && seenBefore(message)) return;
        sink.accept(new WireMessage(time, sender, from, to, SipMessageView.of(message)));
    }

    private synchronized boolean seenBefore(SIPMessage message) {
        for (SIPMessage m : recentlyReceived) {
            if (m == message) return true;
        }
        recentlyReceived[next] = message;
        next = (next + 1) % recentlyReceived.length;
        return false;
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        logMessage(message, from, to, sender, time);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        logMessage(message, from, to, sender, System.currentTimeMillis());
    }

    @Override public void closeLogFile() { }
    @Override public void logException(Exception ex) { }
    @Override public void setStackProperties(Properties stackProperties) { }
    @Override public void setSipStack(SipStack sipStack) { }
}
