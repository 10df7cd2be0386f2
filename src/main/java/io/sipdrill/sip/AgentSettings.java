package io.sipdrill.sip;

import java.time.Duration;
import java.util.List;

/**
 * How one SIP agent listens and sends. Port 0 picks a free port; transport is the one used for
 * requests this agent originates. With udp or tcp the agent listens on UDP and TCP at that port;
 * with tls on UDP and TLS (a TCP port cannot carry both plain and TLS connections).
 */
public record AgentSettings(String host, int port, String transport, String user,
                            int threadPoolSize, boolean observeMessages, Tls tls, String outboundProxy) {
    public AgentSettings {
        transport = transport == null ? "udp" : transport.toLowerCase(java.util.Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp") && !transport.equals("tls")) {
            throw new IllegalArgumentException("transport must be udp, tcp or tls, not " + transport);
        }
        tls = tls == null ? Tls.NONE : tls;
        outboundProxy = outboundProxy == null ? "" : outboundProxy.strip();
    }

    public AgentSettings(String host, int port, String transport, String user, int threadPoolSize, boolean observeMessages) {
        this(host, port, transport, user, threadPoolSize, observeMessages, Tls.NONE, "");
    }

    /**
     * TLS keys and trust, PEM files. Without a certificate the agent can call over TLS but cannot
     * accept TLS connections. Empty trust anchors mean the JDK's own CA list; insecure accepts any
     * certificate (labs only). Handshakes and connections that take longer than the timeout fail.
     */
    public record Tls(String certificate, String privateKey, List<String> trustAnchors, boolean insecure,
                      Duration timeout) {
        public static final Tls NONE = new Tls("", "", List.of(), false, Duration.ofSeconds(8));

        public Tls {
            certificate = certificate == null ? "" : certificate.strip();
            privateKey = privateKey == null ? "" : privateKey.strip();
            trustAnchors = trustAnchors == null ? List.of() : List.copyOf(trustAnchors);
            timeout = timeout == null ? Duration.ofSeconds(8) : timeout;
        }

        public boolean hasCertificate() { return !certificate.isEmpty(); }
    }

    public static AgentSettings loopback() {
        return new AgentSettings("127.0.0.1", 0, "udp", "sipdrill", 8, true);
    }

    public AgentSettings withPort(int newPort) {
        return new AgentSettings(host, newPort, transport, user, threadPoolSize, observeMessages, tls, outboundProxy);
    }

    public AgentSettings withTransport(String newTransport) {
        return new AgentSettings(host, port, newTransport, user, threadPoolSize, observeMessages, tls, outboundProxy);
    }

    /** A SIP URI that requests starting a call or registration are routed through ("" for none). */
    public AgentSettings withOutboundProxy(String proxy) {
        return new AgentSettings(host, port, transport, user, threadPoolSize, observeMessages, tls, proxy);
    }

    public AgentSettings withTls(Tls newTls) {
        return new AgentSettings(host, port, transport, user, threadPoolSize, observeMessages, newTls, outboundProxy);
    }
}
