package io.sipdrill.sip;

import java.util.function.Consumer;

/** Where legs are made and sent from: a {@link SipAgent} on JAIN-SIP, or load mode's {@link LeanEndpoint}. */
public interface Endpoint {
    String host();

    int port();

    /** "127.0.0.1:5070", bracketed for IPv6. */
    String hostPort();

    /** host:port for an address, an IPv6 literal in brackets: how SIP and our traces write it. */
    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The transport of requests this endpoint originates. */
    String transport();

    /** A SIP URI at this endpoint for the given user. */
    String uri(String user);

    /** A new leg this endpoint will originate (as UAC). */
    Leg newLeg(LegListener listener);

    /** Who answers requests outside any leg's dialog. */
    void onRequest(RequestHandler handler);

    void addObserver(Consumer<WireMessage> observer);

    void removeObserver(Consumer<WireMessage> observer);
}
