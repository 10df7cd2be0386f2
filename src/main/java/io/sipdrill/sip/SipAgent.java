package io.sipdrill.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SIP user agent: a JAIN-SIP stack listening on UDP and TCP at one address, dispatching each
 * incoming message to the leg it belongs to, or to the request handler when it belongs to none.
 */
public final class SipAgent implements Endpoint, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipAgent.class);
    private static final AtomicInteger STACKS = new AtomicInteger();

    final AgentSettings settings;
    final MessageFactoryImpl messages = new MessageFactoryImpl();
    final HeaderFactoryImpl headers = new HeaderFactoryImpl();
    final AddressFactoryImpl addresses = new AddressFactoryImpl();
    final ParseCache parsed = new ParseCache(addresses, headers);
    private final SipStackImpl stack;
    private final SipProvider udp;
    /** Plain TCP, or TLS when the agent's transport is tls (one TCP port cannot carry both). */
    private final SipProvider stream;
    private final int port;
    private final List<Consumer<WireMessage>> observers = new CopyOnWriteArrayList<>();
    private volatile RequestHandler handler = request -> request.respond(Reply.of(501));
    /** Counts what crosses this agent; replaced by a role's meters when metrics are kept. */
    volatile MessageCounter counter = MessageCounter.NONE;
    private volatile boolean closed;

    private SipAgent(AgentSettings settings, SipStackImpl stack, SipProvider udp, SipProvider stream, int port) {
        this.settings = settings;
        this.stack = stack;
        this.udp = udp;
        this.stream = stream;
        this.port = port;
        try {
            messages.setDefaultUserAgentHeader(headers.createUserAgentHeader(List.of("sipdrill")));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts an agent; throws SipException with a user-facing message when it cannot bind. */
    public static SipAgent start(AgentSettings settings) {
        InetAddress address;
        try {
            address = InetAddress.getByName(settings.host());
        } catch (IOException e) {
            throw new SipException("cannot bind to " + settings.host() + ": unknown host");
        }
        int attempts = settings.port() == 0 ? 20 : 1;
        SipException last = null;
        for (int i = 0; i < attempts; i++) {
            int port = settings.port() == 0 ? freePort(address) : settings.port();
            try {
                SipAgent agent = open(settings, address, port);
                try {
                    agent.outboundRoute(); // a bad proxy URI is reported now, not at the first call
                } catch (SipException badProxy) {
                    agent.close();
                    throw new IllegalArgumentException(badProxy.getMessage(), badProxy);
                }
                return agent;
            } catch (SipException e) {
                last = e;
            }
        }
        throw last;
    }

    private static SipAgent open(AgentSettings settings, InetAddress address, int port) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "sipdrill-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", WireLogger.class.getName());
        // Without a pool the stack starts a thread per datagram and runs out of memory under load.
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(settings.threadPoolSize()));
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "true");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        // bursts of datagrams under load: ask for large socket buffers (the kernel caps them at rmem_max)
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
        // Release a finished transaction's request outright. The older AGGRESSIVE_CLEANUP ("Normal")
        // encodes every request to bytes when its transaction finishes and parses it back when the
        // transaction is removed: in a load run that was most of the stack timer thread's work.
        p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Aggressive");
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", AgentNetworkLayer.class.getName());
        p.setProperty(AgentNetworkLayer.CONNECT_TIMEOUT, Long.toString(settings.tls().timeout().toMillis()));
        if (settings.transport().equals("tls")) tlsProperties(p, settings.tls());
        // expert tuning: a JVM system property named like a JAIN-SIP property overrides ours
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("gov.nist.javax.sip.") || name.startsWith("javax.sip.")) {
                p.setProperty(name, System.getProperty(name));
            }
        }
        SipStackImpl stack;
        try {
            stack = new SipStackImpl(p);
        } catch (Exception e) {
            throw new SipException("cannot start the SIP stack: " + e.getMessage(), e);
        }
        String host = address.getHostAddress();
        String streamTransport = settings.transport().equals("tls") ? "tls" : "tcp";
        try {
            ListeningPoint udpPoint = stack.createListeningPoint(host, port, "udp");
            ListeningPoint streamPoint = stack.createListeningPoint(host, port, streamTransport);
            SipProvider udp = stack.createSipProvider(udpPoint);
            SipProvider stream = stack.createSipProvider(streamPoint);
            SipAgent agent = new SipAgent(settings, stack, udp, stream, port);
            if (stack.getNetworkLayer() instanceof AgentNetworkLayer sockets) sockets.onClosed(agent::connectionClosed);
            Dispatcher dispatcher = agent.new Dispatcher();
            udp.addSipListener(dispatcher);
            stream.addSipListener(dispatcher);
            WireLogger wire = (WireLogger) stack.getServerLogger();
            wire.sink(agent::observe);
            if (settings.observeMessages()) Slf4jStackLogger.observing(true);
            stack.start();
            return agent;
        } catch (Exception e) {
            stack.stop();
            throw new SipException("cannot listen on " + host + ":" + port
                    + " (udp and " + streamTransport + "): " + rootMessage(e) + "; is the port in use?", e);
        }
    }

    /**
     * TLS through our own socket layer ({@link AgentNetworkLayer}), TLS 1.3 and 1.2 with forward-secret
     * AEAD suites, a client certificate asked for but not required. The PEM files are read here
     * first, so that a bad file is reported by name rather than as a stack that would not start.
     */
    private static void tlsProperties(Properties p, AgentSettings.Tls tls) {
        p.setProperty(AgentNetworkLayer.TLS, "true");
        p.setProperty(PemTlsProvider.CERTIFICATE, tls.certificate());
        p.setProperty(PemTlsProvider.PRIVATE_KEY, tls.privateKey());
        p.setProperty(PemTlsProvider.TRUST_ANCHORS, String.join(",", tls.trustAnchors()));
        p.setProperty(PemTlsProvider.INSECURE, Boolean.toString(tls.insecure()));
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", Long.toString(tls.timeout().toMillis()));
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3, TLSv1.2");
        p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(" ", TLS_SUITES));
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Want");
        if (tls.insecure()) {
            LOG.warn("TLS certificates go UNCHECKED (sipdrill.sip.tls.insecure = true): anyone on the path can pose as"
                    + " the peer you called. Use this in a lab only.");
        }
        try {
            new PemTlsProvider().init(p);
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new SipException("TLS settings (sipdrill.sip.tls): " + e.getMessage(), e);
        }
    }

    private static final List<String> TLS_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static int freePort(InetAddress address) {
        for (int i = 0; i < 50; i++) {
            int candidate = 20000 + ThreadLocalRandom.current().nextInt(30000);
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(address, candidate));
                 ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(address, candidate));
                return candidate;
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new SipException("no free port found on " + address.getHostAddress());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public String host() { return settings.host(); }

    public int port() { return port; }

    public String transport() { return settings.transport(); }

    /** "127.0.0.1:5070", bracketed for IPv6. */
    public String hostPort() {
        return Endpoint.hostPort(host(), port);
    }

    /** A SIP URI at this agent for the given user. */
    public String uri(String user) {
        String t = transport().equals("udp") ? "" : ";transport=" + transport();
        return "sip:" + (user == null || user.isEmpty() ? "" : user + "@") + hostPort() + t;
    }

    public void onRequest(RequestHandler handler) { this.handler = handler; }

    public void count(MessageCounter counter) { this.counter = counter; }

    /** Dialogs the stack holds that are established (for the active-dialogs gauge; read at scrape time). */
    public int confirmedDialogs() {
        return stack.getDialogs(javax.sip.DialogState.CONFIRMED).size();
    }

    public void addObserver(Consumer<WireMessage> observer) { observers.add(observer); }

    public void removeObserver(Consumer<WireMessage> observer) { observers.remove(observer); }

    /** A new leg that this agent will originate (as UAC). */
    public Leg newLeg(LegListener listener) {
        return new StackLeg(this, listener, null);
    }

    /** The Contact this agent puts in requests and responses it sends over the given transport. */
    javax.sip.address.Address contact(String transport) throws java.text.ParseException {
        return contact(transport, false);
    }

    /** A sips: Contact for a sips: request (RFC 3261 8.1.1.8), else sip: with the transport named. */
    javax.sip.address.Address contact(String transport, boolean sips) throws java.text.ParseException {
        String user = settings.user();
        String t = transport.equals("udp") || sips ? "" : ";transport=" + transport;
        return addresses.createAddress("<" + (sips ? "sips:" : "sip:") + (user == null ? "" : user + "@") + hostPort() + t + ">");
    }

    private final java.util.Map<String, javax.sip.header.ContactHeader> contacts = new java.util.concurrent.ConcurrentHashMap<>();

    javax.sip.header.ContactHeader contactHeader(String transport) {
        return contactHeader(transport, false);
    }

    /** The Contact header for a transport, parsed once and cloned per message (headers are mutable). */
    javax.sip.header.ContactHeader contactHeader(String transport, boolean sips) {
        javax.sip.header.ContactHeader c = contacts.computeIfAbsent(sips ? "sips" : transport, t -> {
            try {
                return headers.createContactHeader(contact(transport, sips));
            } catch (java.text.ParseException e) {
                throw new SipException("cannot build a Contact for " + hostPort(), e);
            }
        });
        return (javax.sip.header.ContactHeader) c.clone();
    }

    /** Requests sent over TCP or TLS that have no final response yet, and their legs. */
    private final java.util.Map<ClientTransaction, StackLeg> awaitingOverStream = new java.util.concurrent.ConcurrentHashMap<>();

    /** Remembers a request about to go over a connection, so that the connection closing can end its wait. */
    void sentOverStream(ClientTransaction ct, StackLeg leg) {
        if (ct instanceof gov.nist.javax.sip.stack.SIPTransaction t && !"UDP".equalsIgnoreCase(t.getTransport())) {
            awaitingOverStream.put(ct, leg);
        }
    }

    void notSent(ClientTransaction ct) {
        answered(ct);
    }

    private void answered(ClientTransaction ct) {
        if (ct != null && !awaitingOverStream.isEmpty()) awaitingOverStream.remove(ct);
    }

    /**
     * A connection this agent opened has ended: every request still waiting on it will get no answer
     * over it, so its leg hears it now rather than after the transaction timeout.
     */
    private void connectionClosed(InetAddress address, int port, boolean byPeer) {
        if (closed || awaitingOverStream.isEmpty()) return;
        // JAIN-SIP reads a connection on one thread and parses what it read on another, so an answer
        // that came just before the close may still be on its way to us: give it that long first.
        CLOSE_GRACE.schedule(() -> failWaiting(address, port, byPeer), CLOSE_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static final long CLOSE_GRACE_MS = 500;
    private static final java.util.concurrent.ScheduledExecutorService CLOSE_GRACE =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sipdrill-connection-closed");
                t.setDaemon(true);
                return t;
            });

    private void failWaiting(InetAddress address, int port, boolean byPeer) {
        if (closed) return;
        String where = Endpoint.hostPort(address.getHostAddress(), port);
        LOG.debug("connection to {} closed ({})", where, byPeer ? "by the peer" : "here");
        for (var e : awaitingOverStream.entrySet()) {
            gov.nist.javax.sip.stack.SIPTransaction t = (gov.nist.javax.sip.stack.SIPTransaction) e.getKey();
            if (t.getPeerPort() == port && address.getHostAddress().equals(t.getPeerAddress())
                    && awaitingOverStream.remove(e.getKey()) != null) {
                StackLeg leg = e.getValue();
                String transport = t.getTransport().toUpperCase(java.util.Locale.ROOT);
                leg.listener().onTransportError(leg, t.getMethod(), byPeer
                        ? "the peer closed the " + transport + " connection to " + where + " before it answered"
                        : "the " + transport + " connection to " + where + " ended (the peer closed its TLS session, or the"
                                + " connection failed) before the peer answered");
            }
        }
    }

    private volatile javax.sip.header.RouteHeader outboundRoute;

    /**
     * The Route to the outbound proxy (RFC 3261 8.1.2), loose-routing (;lr) and over this agent's
     * transport unless the URI names one; null when none is configured.
     */
    javax.sip.header.RouteHeader outboundRoute() {
        if (settings.outboundProxy().isEmpty()) return null;
        if (outboundRoute == null) {
            try {
                javax.sip.address.URI uri = addresses.createURI(settings.outboundProxy());
                if (!(uri instanceof javax.sip.address.SipURI sip)) throw new java.text.ParseException("not a sip: or sips: URI", 0);
                sip.setLrParam();
                if (sip.getTransportParam() == null && !sip.isSecure() && !transport().equals("udp")) {
                    sip.setTransportParam(transport());
                }
                outboundRoute = headers.createRouteHeader(addresses.createAddress(sip));
            } catch (java.text.ParseException e) {
                throw new SipException("sipdrill.sip.outbound-proxy = \"" + settings.outboundProxy() + "\" is not a SIP URI ("
                        + e.getMessage() + "); give one like sip:proxy.example.net:5060");
            }
        }
        return (javax.sip.header.RouteHeader) outboundRoute.clone();
    }

    /** The provider for a transport, or null when this agent does not listen on it. */
    SipProvider provider(String transport) {
        if ("udp".equalsIgnoreCase(transport)) return udp;
        String streamTransport = settings.transport().equals("tls") ? "tls" : "tcp";
        return streamTransport.equalsIgnoreCase(transport) ? stream : null;
    }

    SipProvider provider() { return provider(settings.transport()); }

    private void observe(WireMessage message) {
        WireMessage.deliver(observers, message);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (settings.observeMessages()) Slf4jStackLogger.observing(false);
        try {
            stack.stop();
        } catch (RuntimeException e) {
            LOG.debug("stopping the stack", e);
        }
    }

    /** Routes the stack's events to legs (by dialog or transaction) or to the request handler. */
    private final class Dispatcher implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            if (closed) return;
            Request request = event.getRequest();
            counter.request(request.getMethod(), false);
            SipProvider provider = (SipProvider) event.getSource();
            ServerTransaction st = event.getServerTransaction();
            Dialog dialog = event.getDialog();
            if (request.getMethod().equals(Request.CANCEL)) {
                cancel(provider, request, st);
                return;
            }
            if (st == null && !request.getMethod().equals(Request.ACK)) {
                // The transaction is made on arrival, so the stack absorbs retransmissions even while
                // the answer is still being worked out (a STIR check, a call placed elsewhere).
                try {
                    st = provider.getNewServerTransaction(request);
                } catch (javax.sip.TransactionAlreadyExistsException retransmission) {
                    return;
                } catch (Exception e) {
                    LOG.debug("no server transaction for {}: {}", request.getMethod(), e.getMessage());
                    return;
                }
            }
            ServerExchange exchange = new ServerExchange(SipAgent.this, provider, request, st);
            StackLeg leg = dialog == null ? null : (StackLeg) dialog.getApplicationData();
            try {
                if (leg != null) {
                    leg.listener().onRequest(leg, exchange);
                } else {
                    handler.onRequest(exchange);
                }
            } catch (RuntimeException e) {
                LOG.warn("handling {} failed", request.getMethod(), e);
                exchange.respondIfUnanswered(Reply.of(500));
            }
        }

        private void cancel(SipProvider provider, Request cancel, ServerTransaction st) {
            if (st == null) {
                try {
                    st = provider.getNewServerTransaction(cancel);
                } catch (Exception retransmissionOrStray) {
                    return;
                }
            }
            ServerExchange exchange = new ServerExchange(SipAgent.this, provider, cancel, st);
            SIPServerTransaction invite = st == null ? null
                    : ((SIPServerTransaction) st).getCanceledInviteTransaction();
            if (invite == null) {
                exchange.respond(Reply.of(481));
                return;
            }
            exchange.respond(Reply.of(200));
            ServerExchange inviteExchange = (ServerExchange) invite.getApplicationData();
            if (inviteExchange != null && !inviteExchange.answeredFinally()) {
                inviteExchange.respond(Reply.of(487));
                StackLeg leg = inviteExchange.existingLeg();
                if (leg != null) leg.listener().onRequest(leg, exchange);
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            if (closed) return;
            Response response = event.getResponse();
            counter.response(((javax.sip.header.CSeqHeader) response.getHeader(javax.sip.header.CSeqHeader.NAME)).getMethod(),
                    response.getStatusCode(), false);
            ClientTransaction ct = event.getClientTransaction();
            if (response.getStatusCode() >= 200) answered(ct);
            StackLeg leg = ct == null ? null : (StackLeg) ct.getApplicationData();
            if (leg == null && event.getDialog() != null) leg = (StackLeg) event.getDialog().getApplicationData();
            if (leg == null) return;
            leg.onResponse(response, ct);
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            if (event.isServerTransaction()) return;
            ClientTransaction ct = event.getClientTransaction();
            answered(ct);
            StackLeg leg = ct == null ? null : (StackLeg) ct.getApplicationData();
            // the method is kept by the transaction even after its request was released
            if (leg != null) leg.listener().onTimeout(leg, ((gov.nist.javax.sip.stack.SIPTransaction) ct).getMethod());
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            LOG.debug("I/O error towards {}:{} ({})", event.getHost(), event.getPort(), event.getTransport());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) { }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
            StackLeg leg = (StackLeg) event.getDialog().getApplicationData();
            if (leg != null) leg.ended();
        }
    }
}
