package io.sipdrill.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load mode's own SIP user agent client over UDP, for calls a scenario places itself: one socket,
 * one thread reading it, the RFC 3261 client transactions (retransmission timers A and E, timeouts
 * B and F, ACK for a non-2xx, absorbing retransmitted answers), dialogs with route sets, and
 * answers to requests inside them, decided by the scenario as on the JAIN-SIP path. It exists
 * because JAIN-SIP's per-message cost held load mode to about 0.4 of SIPp's rate. Requests outside
 * a call it placed get 481.
 */
public final class LeanEndpoint implements Endpoint, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeanEndpoint.class);
    static final long T1 = 500;
    static final long T2 = 4000;
    /** Timer B and F (64 x T1), and how long finished transactions absorb retransmissions. */
    static final long TRANSACTION_TIMEOUT = 64 * T1;

    private final DatagramSocket socket;
    private final String host;
    private final int port;
    private final String user;
    private final String hostPort;
    final ScheduledThreadPoolExecutor timers;
    private final Thread reader;
    private final Map<String, LeanLeg.ClientTransaction> transactions = new ConcurrentHashMap<>();
    private final Map<String, LeanLeg> legsByCallId = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> resolved = new ConcurrentHashMap<>();
    private final List<Consumer<WireMessage>> observers = new CopyOnWriteArrayList<>();
    volatile MessageCounter counter = MessageCounter.NONE;
    private volatile boolean closed;

    private LeanEndpoint(DatagramSocket socket, String host, String user) {
        this.socket = socket;
        this.host = host;
        this.port = socket.getLocalPort();
        this.user = user;
        this.hostPort = Endpoint.hostPort(host, port);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sipdrill-lean-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        this.reader = new Thread(this::read, "sipdrill-lean-udp");
        reader.setDaemon(true);
    }

    /** Binds host:port (0 for a free port) over UDP and starts reading. */
    public static LeanEndpoint start(String host, int port, String user) {
        try {
            InetAddress address = InetAddress.getByName(host);
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, port));
            socket.setReceiveBufferSize(4 * 1024 * 1024);
            socket.setSendBufferSize(4 * 1024 * 1024);
            LeanEndpoint e = new LeanEndpoint(socket, host, user);
            e.reader.start();
            return e;
        } catch (IOException e) {
            throw new SipException("cannot listen on " + host + ":" + port + " (udp): " + e.getMessage() + "; is the port in use?", e);
        }
    }

    @Override public String host() { return host; }

    @Override public int port() { return port; }

    @Override public String hostPort() { return hostPort; }

    @Override public String transport() { return "udp"; }

    @Override
    public String uri(String user) {
        return "sip:" + (user == null || user.isEmpty() ? "" : user + "@") + hostPort;
    }

    String contact() {
        return "<sip:" + (user == null || user.isEmpty() ? "" : user + "@") + hostPort + ">";
    }

    @Override
    public Leg newLeg(LegListener listener) {
        return new LeanLeg(this, listener);
    }

    /** Requests outside the calls this endpoint placed are answered 481 here; the handler is not used. */
    @Override
    public void onRequest(RequestHandler handler) { }

    @Override public void addObserver(Consumer<WireMessage> observer) { observers.add(observer); }

    @Override public void removeObserver(Consumer<WireMessage> observer) { observers.remove(observer); }

    public void count(MessageCounter c) { this.counter = c; }

    // ---- sending ---------------------------------------------------------------------------

    static String newBranch() {
        return "z9hG4bK-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    static String newCallId(String host) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()) + "@" + host;
    }

    /** Where a request for this URI goes: its host and port (5060 when none), looked up once. */
    InetSocketAddress destination(String uri) {
        return resolved.computeIfAbsent(hostPortOf(uri), hp -> {
            int colon = hp.lastIndexOf(':');
            String h = hp.substring(0, colon);
            try {
                return new InetSocketAddress(InetAddress.getByName(h.replace("[", "").replace("]", "")), Integer.parseInt(hp.substring(colon + 1)));
            } catch (IOException e) {
                throw new SipException("cannot resolve " + h + ": " + e.getMessage());
            }
        });
    }

    /** "host:port" of a sip: URI (port 5060 when none). */
    static String hostPortOf(String uri) {
        String u = uri.strip();
        if (u.startsWith("<")) u = LeanMessage.addressUri(u);
        if (!u.regionMatches(true, 0, "sip:", 0, 4)) throw new SipException("cannot send to " + uri + ": only sip: URIs over UDP on this path");
        String rest = u.substring(4);
        int at = rest.lastIndexOf('@');
        if (at >= 0) rest = rest.substring(at + 1);
        int end = rest.length();
        for (char c : new char[] {';', '?', '>'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) end = i;
        }
        String hp = rest.substring(0, end);
        boolean v6 = hp.startsWith("[");
        int close = v6 ? hp.indexOf(']') : -1;
        int colon = hp.lastIndexOf(':');
        if ((v6 && colon > close) || (!v6 && colon > 0)) return hp;
        return hp + ":5060";
    }

    void send(String text, InetSocketAddress to) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            if (!closed) throw new SipException("cannot send to " + to + ": " + e.getMessage(), e);
        }
        if (!observers.isEmpty()) observe(text, true, to);
    }

    void register(String key, LeanLeg.ClientTransaction tx) { transactions.put(key, tx); }

    void forget(String key) { transactions.remove(key); }

    void dialog(String callId, LeanLeg leg) { legsByCallId.put(callId, leg); }

    void forgetDialog(String callId) { legsByCallId.remove(callId); }

    void later(Runnable task, long millis) {
        if (!closed) timers.schedule(task, millis, TimeUnit.MILLISECONDS);
    }

    // ---- receiving -------------------------------------------------------------------------

    private void read() {
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                LeanMessage m = LeanMessage.parse(packet.getData(), packet.getLength());
                if (m == null) continue; // not SIP: dropped (RFC 3261 18.3)
                InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                if (!observers.isEmpty()) observe(m.text, false, from);
                if (m.isRequest()) request(m, from);
                else response(m);
            } catch (SocketException e) {
                if (!closed) LOG.debug("lean UDP socket: {}", e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.debug("lean UDP path: could not handle a datagram", e);
            }
        }
    }

    private void response(LeanMessage m) {
        counter.response(m.method, m.status, false);
        String branch = m.branch();
        LeanLeg.ClientTransaction tx = branch == null ? null : transactions.get(branch + ":" + m.method);
        if (tx != null) tx.onResponse(m);
    }

    private void request(LeanMessage m, InetSocketAddress from) {
        counter.request(m.method, false);
        LeanLeg leg = legsByCallId.get(m.callId());
        if (leg != null && leg.isOwnTag(m.toTag())) {
            leg.onRequest(m, from);
        } else if (!m.method.equals("ACK")) {
            // back to where it came from (RFC 3581 rport, as loopback and NAT want)
            send(LeanLeg.response(m, Reply.of(481), null, null), from);
            counter.response(m.method, 481, true);
        }
    }

    private void observe(String text, boolean sent, InetSocketAddress peer) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        LeanMessage m = LeanMessage.parse(bytes, bytes.length);
        if (m == null) return;
        String remote = Endpoint.hostPort(peer.getAddress().getHostAddress(), peer.getPort());
        WireMessage.deliver(observers, new WireMessage(System.currentTimeMillis(), sent, sent ? hostPort : remote,
                sent ? remote : hostPort, m.view(true)));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        socket.close();
        timers.shutdownNow();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
