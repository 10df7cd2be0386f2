package io.sipdrill.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * JAIN-SIP's sockets for one agent. Outgoing TCP and TLS connections report when the peer closes
 * them ({@link #onPeerClosed}): the stack itself only notices a closed connection, and the request
 * it carried would wait for its transaction timeout.
 *
 * <p>TLS keys and trust come from PEM files ({@link PemTlsProvider}). The default
 * blocking transport takes its TLS sockets from here: its NIO transport, the only one that reads a
 * SecurityManagerProvider, loses the first request on each new outgoing TLS connection.
 *
 * <p>A server's certificate is checked during the handshake: its chain against the trust anchors,
 * then its names against the host that was called ({@link TlsNamePolicy#check}), so an untrusted,
 * expired or misnamed peer fails the send at once with the reason, before any SIP is sent. The
 * host is the name the call was addressed to when the stack kept one, else the IP address; a name
 * is also sent as SNI.
 */
public final class AgentNetworkLayer implements NetworkLayer {
    /** Connection timeout for outgoing TCP and TLS, in milliseconds (stack property). */
    public static final String CONNECT_TIMEOUT = "sipdrill.tls.connect-timeout-ms";
    /** "true" when the agent speaks TLS: only then are keys and trust read (stack property). */
    public static final String TLS = "sipdrill.tls.enabled";

    private SSLContext context;
    private int connectTimeoutMs = 8000;
    private volatile ClosedListener closedListener = (a, p, byPeer) -> { };

    /** Hears of a connection we opened coming to an end. */
    interface ClosedListener {
        /** byPeer: the peer closed or reset it (seen on the TCP stream); else it was closed on our side. */
        void closed(InetAddress address, int port, boolean byPeer);
    }

    /**
     * Called once per outgoing connection when it ends: at once when the peer closes or resets it,
     * else when it is closed here (for TLS also after the peer's close_notify, which ends the TLS
     * stream before the TCP one).
     */
    void onClosed(ClosedListener listener) { this.closedListener = listener; }

    public AgentNetworkLayer() { }

    @Override
    public void setSipStack(SipStackImpl stack) {
        Properties properties = stack.getConfigurationProperties();
        String timeout = properties.getProperty(CONNECT_TIMEOUT);
        if (timeout != null) connectTimeoutMs = Integer.parseInt(timeout.strip());
        if (!"true".equals(properties.getProperty(TLS))) return;
        try {
            PemTlsProvider provider = new PemTlsProvider();
            provider.init(properties);
            TrustManager[] trust = provider.getTrustManagers(true);
            if (!provider.insecure()) {
                trust = new TrustManager[] {new NameChecking((X509ExtendedTrustManager) trust[0])};
            }
            context = SSLContext.getInstance("TLS");
            context.init(provider.getKeyManagers(false), trust, null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private SSLContext tls() throws IOException {
        if (context == null) throw new IOException("TLS is not enabled on this agent (--transport tls)");
        return context;
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return (SSLServerSocket) tls().getServerSocketFactory().createServerSocket(port, backlog, bindAddress);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        Socket plain = createSocket(address, port, localAddress);
        String host = hostOf(address);
        SSLSocket tls = (SSLSocket) tls().getSocketFactory().createSocket(plain, host, port, true);
        tls.setUseClientMode(true);
        if (!host.equals(address.getHostAddress())) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            tls.setSSLParameters(parameters);
        }
        return tls;
    }

    /** The name this address was looked up by (kept by the JDK, no reverse lookup), else its literal. */
    static String hostOf(InetAddress address) {
        String text = address.toString();
        int slash = text.indexOf('/');
        String name = slash > 0 ? text.substring(0, slash) : "";
        return name.isEmpty() ? address.getHostAddress() : name;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new ServerSocket(port, backlog, bindAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return createSocket(address, port, null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return createSocket(address, port, localAddress, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        Socket socket = new Watched();
        if (myAddress != null) socket.bind(new InetSocketAddress(myAddress, myPort));
        try {
            socket.connect(new InetSocketAddress(address, port), connectTimeoutMs);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new SocketTimeoutException("no connection to " + address.getHostAddress() + ":" + port
                    + " within " + connectTimeoutMs + " ms");
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress bindAddress) throws SocketException {
        return new DatagramSocket(port, bindAddress);
    }

    /** A connection whose reader learns when the peer closes it (end of stream, or a reset while open). */
    private final class Watched extends Socket {
        private volatile InputStream in;
        private final java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public InputStream getInputStream() throws IOException {
            if (in == null) in = new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    return seen(watch(() -> super.read()));
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return seen(watch(() -> super.read(b, off, len)));
                }
            };
            return in;
        }

        private interface Read { int run() throws IOException; }

        private int watch(Read read) throws IOException {
            try {
                return read.run();
            } catch (IOException e) {
                if (!isClosed()) closed(true); // a reset by the peer, not our own close
                throw e;
            }
        }

        private int seen(int n) {
            if (n < 0) closed(true);
            return n;
        }

        @Override
        public synchronized void close() throws IOException {
            InetAddress address = getInetAddress();
            int port = getPort();
            super.close();
            if (address != null && told.compareAndSet(false, true)) closedListener.closed(address, port, false);
        }

        private void closed(boolean byPeer) {
            if (getInetAddress() != null && told.compareAndSet(false, true)) closedListener.closed(getInetAddress(), getPort(), byPeer);
        }
    }

    /** The trust anchors' verdict first, then whether the certificate names the host that was called. */
    private static final class NameChecking extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager chain;

        NameChecking(X509ExtendedTrustManager chain) { this.chain = chain; }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
            String host = socket instanceof SSLSocket s && s.getHandshakeSession() != null
                    ? s.getHandshakeSession().getPeerHost() : null;
            check(certs, host, () -> chain.checkServerTrusted(certs, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
            check(certs, engine.getPeerHost(), () -> chain.checkServerTrusted(certs, authType, engine));
        }

        private interface ChainCheck { void run() throws CertificateException; }

        /** Dates first (their message says when), then the chain, then the names. */
        private static void check(X509Certificate[] certs, String host, ChainCheck chainCheck) throws CertificateException {
            if (host == null) throw new CertificateException("cannot tell which host was called, so the certificate's names cannot be checked");
            Date now = new Date();
            try {
                certs[0].checkValidity(now);
            } catch (CertificateException e) {
                tlsPolicy(certs[0], host, now);
            }
            chainCheck.run();
            tlsPolicy(certs[0], host, now);
        }

        private static void tlsPolicy(X509Certificate leaf, String host, Date now) throws CertificateException {
            try {
                TlsNamePolicy.check(leaf, host, now);
            } catch (SecurityException e) {
                throw new CertificateException(e.getMessage());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            throw new CertificateException("a server certificate can only be checked against the host called");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
            chain.checkClientTrusted(certs, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
            chain.checkClientTrusted(certs, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
            chain.checkClientTrusted(certs, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() { return chain.getAcceptedIssuers(); }
    }
}
