package io.sipdrill.sip;

import java.util.Map;

/**
 * One side of one call: the dialog once it exists, plus the requests that create it. A leg sends
 * described requests (the SIP layer fills in the rest) and reports what arrives to its listener.
 * {@link StackLeg} runs on JAIN-SIP; {@link LeanLeg} is load mode's own lighter UDP path.
 */
public interface Leg {
    /** The endpoint this leg sends from. */
    Endpoint agent();

    boolean hasDialog();

    boolean confirmed();

    boolean isEnded();

    String callId();

    /** The dialog's remote URI (the peer's address of record). */
    String remoteUri();

    /** The dialog's local URI: who this side is in the call. */
    String localUri();

    String dialogLocalTag();

    String dialogRemoteTag();

    /**
     * Sends a request: in the dialog when one exists, otherwise as a new request that may create
     * one (INVITE). Returns the CSeq number used.
     */
    long send(OutgoingRequest spec);

    /** Sends the last INVITE again to another Request-URI (after a 3xx); returns the CSeq used. */
    long retarget(String uri);

    /** The Request-URI of the last request of this method this leg sent, or null. */
    String lastRequestUri(String method);

    /**
     * Sends the last request of this method again as a new transaction with the next CSeq and these
     * headers set (credentials after 401/407, a longer Expires after 423). Returns the CSeq used.
     */
    long resend(String method, Map<String, String> headers);

    /** Acknowledges the last 2xx to INVITE (non-2xx are acknowledged by the transaction layer). */
    long ack();

    /** Cancels the pending INVITE (RFC 3261 9.1). */
    long cancel();

    /** The call is over for its owner: later requests in it get 481 and nothing reaches the listener. */
    void release();
}
