package io.sipdrill.sip;

/**
 * How one SIP agent listens and sends. Port 0 picks a free port (the same for UDP and TCP);
 * transport is the one used for requests this agent originates.
 */
public record AgentSettings(String host, int port, String transport, String user,
                            int threadPoolSize, boolean observeMessages) {
    public AgentSettings {
        transport = transport == null ? "udp" : transport.toLowerCase(java.util.Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new IllegalArgumentException("transport must be udp or tcp, not " + transport);
        }
    }

    public static AgentSettings loopback() {
        return new AgentSettings("127.0.0.1", 0, "udp", "sipdrill", 8, true);
    }

    public AgentSettings withPort(int newPort) {
        return new AgentSettings(host, newPort, transport, user, threadPoolSize, observeMessages);
    }

    public AgentSettings withTransport(String newTransport) {
        return new AgentSettings(host, port, newTransport, user, threadPoolSize, observeMessages);
    }
}
