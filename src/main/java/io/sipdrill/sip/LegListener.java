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
}
