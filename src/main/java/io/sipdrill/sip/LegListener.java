package io.sipdrill.sip;

/** What happens on one leg (a dialog, or a request that may create one). Called on stack threads. */
public interface LegListener {
    void onResponse(Leg leg, SipMessageView response);

    void onRequest(Leg leg, ServerExchange request);

    /** No final response arrived for a request this leg sent (RFC 3261 timers B/F). */
    void onTimeout(Leg leg, String method);

    /** The request could not be sent or its connection broke. */
    default void onTransportError(Leg leg, String method, String reason) { }

    default void onEnded(Leg leg) { }

    /**
     * A request in the dialog of a {@link LeanLeg} (which has no {@link ServerExchange}): the
     * listener answers it through {@code respond} (not at all for ACK). By default 481, as for a
     * call nobody holds any more.
     */
    default void onRequest(Leg leg, SipMessageView request, java.util.function.Consumer<Reply> respond) {
        if (!request.method().equals("ACK")) respond.accept(Reply.of(481));
    }
}
