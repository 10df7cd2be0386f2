package io.sipdrill.sip;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A call placed by {@link LeanEndpoint}: the requests it sends, its dialog (remote tag and target,
 * route set, CSeq), and the requests the peer sends in it. Not for 3xx retargeting, which the
 * lean path does not take on (scenarios that follow redirects use JAIN-SIP).
 */
final class LeanLeg implements Leg {
    private final LeanEndpoint endpoint;
    private volatile LegListener listener;
    private final String localTag = StackLeg.newTag();
    private final String callId;
    private volatile String localUri;
    private volatile String remoteUri;
    private volatile String fromHeader;
    private volatile String toHeader;
    private volatile String remoteTag;
    private volatile String remoteTarget;
    private volatile List<String> routeSet = List.of();
    private volatile boolean early;
    private volatile boolean confirmed;
    private volatile boolean ended;
    private long cseq;
    private volatile ClientTransaction invite;
    private volatile long inviteCseq;
    /** The last request of each method sent outside the dialog, and inside it: what a challenge re-sends. */
    private final Map<String, OutgoingRequest> lastOutOfDialog = new ConcurrentHashMap<>();
    private final Map<String, OutgoingRequest> lastInDialog = new ConcurrentHashMap<>();
    private final Map<String, String> lastUri = new ConcurrentHashMap<>();
    /** Our answers to the peer's requests, by branch and method, to repeat for its retransmissions. */
    private final Map<String, String> answered = new ConcurrentHashMap<>();

    LeanLeg(LeanEndpoint endpoint, LegListener listener) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.callId = LeanEndpoint.newCallId(endpoint.host());
    }

    boolean isOwnTag(String tag) { return localTag.equals(tag); }

    @Override public Endpoint agent() { return endpoint; }

    @Override public boolean hasDialog() { return early || confirmed; }

    @Override public boolean confirmed() { return confirmed && !ended; }

    @Override public boolean isEnded() { return ended; }

    @Override public String callId() { return callId; }

    @Override public String remoteUri() { return remoteUri == null ? "" : remoteUri; }

    @Override public String localUri() { return localUri == null ? "" : localUri; }

    @Override public String dialogLocalTag() { return hasDialog() ? localTag : ""; }

    @Override public String dialogRemoteTag() { return remoteTag == null ? "" : remoteTag; }

    // ---- sending ---------------------------------------------------------------------------

    @Override
    public synchronized long send(OutgoingRequest spec) {
        if (spec.method().equals("ACK")) return ack();
        if (spec.method().equals("CANCEL")) return cancel();
        boolean inDialog = confirmed && !ended;
        String uri;
        List<String> route;
        if (inDialog) {
            uri = remoteTarget;
            route = routeSet;
            lastInDialog.put(spec.method(), spec);
        } else {
            if (spec.requestUri() == null || spec.requestUri().isBlank()) {
                throw new SipException("cannot send " + spec.method() + ": no target URI");
            }
            uri = spec.requestUri().strip();
            checkUdp(uri, spec.method());
            route = List.of();
            String from = spec.from() == null ? endpoint.uri(null) : spec.from();
            String to = spec.to() == null ? spec.requestUri() : spec.to();
            ended = false; // a new attempt at the call, after a failure or a challenge
            localUri = LeanMessage.addressUri(from.strip());
            remoteUri = LeanMessage.addressUri(to.strip());
            fromHeader = nameAddr(from) + ";tag=" + localTag;
            toHeader = nameAddr(to);
            lastOutOfDialog.put(spec.method(), spec);
        }
        long number = ++cseq;
        lastUri.put(spec.method(), uri);
        String branch = LeanEndpoint.newBranch();
        String text = request(spec.method(), uri, branch, number, spec.method(), route, spec.headers(), spec.contentType(), spec.body());
        ClientTransaction tx = new ClientTransaction(spec.method(), branch, text, endpoint.destination(route.isEmpty() ? uri : route.get(0)), number);
        if (spec.method().equals("INVITE")) {
            invite = tx;
            inviteCseq = number;
        }
        endpoint.dialog(callId, this);
        tx.start();
        return number;
    }

    private static void checkUdp(String uri, String method) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sips:") || (lower.contains(";transport=") && !lower.contains(";transport=udp"))) {
            throw new SipException("cannot send " + method + " to " + uri + ": load mode's lean path speaks UDP only;"
                    + " run with --set sipdrill.run.lean-load=false to use JAIN-SIP");
        }
    }

    @Override
    public long retarget(String uri) {
        throw new SipException("load mode's lean path does not follow redirects; run with --set sipdrill.run.lean-load=false");
    }

    @Override
    public String lastRequestUri(String method) {
        return lastUri.get(method);
    }

    @Override
    public synchronized long resend(String method, Map<String, String> headers) {
        OutgoingRequest spec = lastInDialog.containsKey(method) && confirmed ? lastInDialog.get(method) : lastOutOfDialog.get(method);
        if (spec == null) throw new SipException("cannot send " + method + " again: none was sent on this leg");
        OutgoingRequest again = spec;
        for (var h : headers.entrySet()) again = again.header(h.getKey(), h.getValue());
        boolean wasInDialog = confirmed;
        if (!wasInDialog) {
            ended = false; // the call is tried again
            // the same call again: same Call-ID and From tag, the next CSeq (RFC 3261 8.1.3.5, 22.2)
            long number = ++cseq;
            String uri = lastUri.get(method);
            String branch = LeanEndpoint.newBranch();
            String text = request(method, uri, branch, number, method, List.of(), again.headers(), again.contentType(), again.body());
            ClientTransaction tx = new ClientTransaction(method, branch, text, endpoint.destination(uri), number);
            if (method.equals("INVITE")) {
                invite = tx;
                inviteCseq = number;
            }
            tx.start();
            return number;
        }
        long number = send(again);
        lastInDialog.put(method, spec); // credentials are worked out anew for each challenge
        return number;
    }

    @Override
    public synchronized long ack() {
        ClientTransaction tx = invite;
        if (!confirmed || tx == null) throw new SipException("cannot send ACK: no dialog (no 2xx to INVITE yet)");
        String text = request("ACK", remoteTarget, LeanEndpoint.newBranch(), inviteCseq, "ACK", routeSet, List.of(), null, null);
        tx.ackFor2xx = text;
        tx.ackTo = endpoint.destination(routeSet.isEmpty() ? remoteTarget : routeSet.get(0));
        endpoint.send(text, tx.ackTo);
        endpoint.counter.request("ACK", true);
        return inviteCseq;
    }

    @Override
    public synchronized long cancel() {
        ClientTransaction tx = invite;
        if (tx == null || tx.finalStatus > 0) throw new SipException("cannot send CANCEL: no INVITE pending");
        String text = request("CANCEL", lastUri.get("INVITE"), tx.branch, inviteCseq, "CANCEL", List.of(), List.of(), null, null);
        new ClientTransaction("CANCEL", tx.branch, text, tx.to, inviteCseq).start();
        return inviteCseq;
    }

    @Override
    public void release() {
        listener = RELEASED;
        lastOutOfDialog.clear();
        lastInDialog.clear();
        endpoint.later(() -> endpoint.forgetDialog(callId), LeanEndpoint.TRANSACTION_TIMEOUT);
    }

    private static final LegListener RELEASED = new LegListener() {
        @Override public void onResponse(Leg leg, SipMessageView response) { }
        @Override public void onRequest(Leg leg, ServerExchange request) { }
        @Override public void onTimeout(Leg leg, String method) { }
    };

    private static String nameAddr(String text) {
        String t = text.strip();
        return t.contains("<") ? t : "<" + t + ">";
    }

    /** A request of this leg: From/To/Call-ID of the call, the given Request-URI, Route and CSeq. */
    private String request(String method, String uri, String branch, long number, String cseqMethod, List<String> route,
                           List<Map.Entry<String, String>> overrides, String contentType, String body) {
        List<String[]> headers = new ArrayList<>(12);
        headers.add(new String[] {"Via", "SIP/2.0/UDP " + endpoint.hostPort() + ";branch=" + branch + ";rport"});
        headers.add(new String[] {"Max-Forwards", "70"});
        for (String r : route) headers.add(new String[] {"Route", r});
        headers.add(new String[] {"From", fromHeader});
        headers.add(new String[] {"To", remoteTag == null || method.equals("CANCEL") && !confirmed ? toHeader : toHeader + ";tag=" + remoteTag});
        headers.add(new String[] {"Call-ID", callId});
        headers.add(new String[] {"CSeq", number + " " + cseqMethod});
        if (!method.equals("ACK") && !method.equals("CANCEL") && !method.equals("BYE")) {
            headers.add(new String[] {"Contact", endpoint.contact()});
        }
        headers.add(new String[] {"User-Agent", "sipdrill"});
        override(headers, overrides);
        String content = body == null ? "" : body;
        if (!content.isEmpty()) replace(headers, "Content-Type", contentType == null ? Sdp.CONTENT_TYPE : contentType);
        return text(method + " " + uri + " SIP/2.0", headers, content);
    }

    /** Header overrides as on the JAIN-SIP path: a name's first override replaces it, a repeat adds another. */
    private static void override(List<String[]> headers, List<Map.Entry<String, String>> overrides) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> o : overrides) {
            String name = SipMessageView.canonical(o.getKey());
            if (seen.add(name)) headers.removeIf(h -> SipMessageView.canonical(h[0]).equals(name));
            headers.add(new String[] {o.getKey(), o.getValue()});
        }
    }

    private static void replace(List<String[]> headers, String name, String value) {
        String c = SipMessageView.canonical(name);
        headers.removeIf(h -> SipMessageView.canonical(h[0]).equals(c));
        headers.add(new String[] {name, value});
    }

    private static String text(String startLine, List<String[]> headers, String body) {
        StringBuilder b = new StringBuilder(512 + body.length()).append(startLine).append("\r\n");
        for (String[] h : headers) {
            if (SipMessageView.canonical(h[0]).equals("content-length")) continue;
            b.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        b.append("Content-Length: ").append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
        return b.toString();
    }

    // ---- what arrives ----------------------------------------------------------------------

    /** A response of one of this leg's transactions: dialog state, then the listener. */
    private void onResponse(ClientTransaction tx, LeanMessage m) {
        String tag = m.toTag();
        if (tx.method.equals("INVITE") && tag != null && m.status > 100 && m.status < 300) {
            synchronized (this) {
                if (remoteTag == null || !confirmed) {
                    remoteTag = tag;
                    String contact = m.contactUri();
                    remoteTarget = contact != null ? contact : lastUri.get("INVITE");
                    List<String> rr = new ArrayList<>(m.recordRoute());
                    java.util.Collections.reverse(rr); // a UAC's route set is the Record-Route reversed (RFC 3261 12.1.2)
                    routeSet = List.copyOf(rr);
                    early = m.status < 200;
                    if (m.status >= 200) confirmed = true;
                }
            }
        }
        if (tx.method.equals("INVITE") && m.status >= 300) ended();
        if (tx.method.equals("BYE") && m.status >= 200) ended();
        listener.onResponse(this, m.view(false));
    }

    /** A request from the peer in this leg's dialog: answered as the listener says, retransmissions repeated. */
    void onRequest(LeanMessage m, InetSocketAddress from) {
        String key = m.branch() + ":" + m.method;
        String earlier = answered.get(key);
        if (earlier != null) {
            endpoint.send(earlier, from);
            return;
        }
        listener.onRequest(this, m.view(false), reply -> {
            String contact = reply.status() < 300 && m.method.equals("INVITE") ? endpoint.contact() : null;
            String text = response(m, reply, localTag, contact);
            answered.put(key, text);
            endpoint.later(() -> answered.remove(key), LeanEndpoint.TRANSACTION_TIMEOUT);
            endpoint.send(text, from);
            endpoint.counter.response(m.method, reply.status(), true);
            if (m.method.equals("BYE") && reply.status() < 300) ended();
        });
    }

    private void ended() {
        if (ended) return;
        ended = true;
        listener.onEnded(this);
    }

    /** A response to a request: its Vias, From, To (with our tag), Call-ID and CSeq, then the reply's own. */
    static String response(LeanMessage request, Reply reply, String tag, String contact) {
        List<String[]> headers = new ArrayList<>(10);
        for (Map.Entry<String, String> h : request.headers) {
            String c = SipMessageView.canonical(h.getKey());
            if (c.equals("via") || c.equals("from") || c.equals("call-id") || c.equals("cseq") || c.equals("record-route")) {
                headers.add(new String[] {h.getKey(), h.getValue()});
            } else if (c.equals("to")) {
                String to = h.getValue();
                headers.add(new String[] {h.getKey(), tag != null && LeanMessage.param(LeanMessage.afterAddress(to), "tag") == null
                        ? to + ";tag=" + tag : to});
            }
        }
        if (contact != null) headers.add(new String[] {"Contact", contact});
        headers.add(new String[] {"Server", "sipdrill"});
        for (Map.Entry<String, String> h : reply.headers()) headers.add(new String[] {h.getKey(), h.getValue()});
        String body = reply.body() == null ? "" : reply.body();
        if (!body.isEmpty()) replace(headers, "Content-Type", reply.contentType() == null ? Sdp.CONTENT_TYPE : reply.contentType());
        String reason = reply.reason() != null ? reply.reason() : ReasonPhrases.of(reply.status());
        return text("SIP/2.0 " + reply.status() + " " + (reason == null ? "" : reason), headers, body);
    }

    // ---- client transactions (RFC 3261 17.1) ---------------------------------------------------

    /** One request this leg sent: retransmitted until answered over UDP, timed out after 64 x T1. */
    final class ClientTransaction {
        final String method;
        final String branch;
        /** The request as sent, for retransmissions; dropped once answered. */
        private volatile String text;
        final InetSocketAddress to;
        final long number;
        private final String key;
        private volatile boolean provisional;
        volatile int finalStatus;
        private volatile String ackForFinal;
        volatile String ackFor2xx;
        volatile InetSocketAddress ackTo;
        private final long started = System.nanoTime();

        ClientTransaction(String method, String branch, String text, InetSocketAddress to, long number) {
            this.method = method;
            this.branch = branch;
            this.text = text;
            this.to = to;
            this.number = number;
            this.key = branch + ":" + method;
        }

        void start() {
            endpoint.register(key, this);
            endpoint.send(text, to);
            endpoint.counter.request(method, true);
            endpoint.later(() -> retransmit(LeanEndpoint.T1), LeanEndpoint.T1);
        }

        private void retransmit(long interval) {
            String request = text;
            if (finalStatus > 0 || request == null) return;
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            if (elapsed >= LeanEndpoint.TRANSACTION_TIMEOUT) {
                finalStatus = 408;
                endpoint.forget(key);
                listener.onTimeout(LeanLeg.this, method);
                return;
            }
            boolean invite = method.equals("INVITE");
            if (invite && provisional) {
                // timer A stops after a provisional answer; timer B still runs
                endpoint.later(() -> retransmit(interval), LeanEndpoint.TRANSACTION_TIMEOUT - elapsed);
                return;
            }
            endpoint.send(request, to);
            // timer A doubles; timer E doubles up to T2, and stays at T2 after a provisional answer
            long next = invite ? interval * 2 : provisional ? LeanEndpoint.T2 : Math.min(interval * 2, LeanEndpoint.T2);
            endpoint.later(() -> retransmit(next), Math.max(1, Math.min(next, LeanEndpoint.TRANSACTION_TIMEOUT - elapsed)));
        }

        void onResponse(LeanMessage m) {
            if (m.status < 200) {
                if (finalStatus > 0) return;
                provisional = true;
                LeanLeg.this.onResponse(this, m);
                return;
            }
            synchronized (this) {
                if (finalStatus > 0) {
                    // a retransmitted final answer: repeat our ACK, and tell nobody again
                    if (ackForFinal != null) endpoint.send(ackForFinal, to);
                    else if (m.status < 300 && ackFor2xx != null) endpoint.send(ackFor2xx, ackTo);
                    return;
                }
                finalStatus = m.status;
                text = null;
            }
            if (method.equals("INVITE") && m.status >= 300) {
                // the transaction acknowledges a failure itself, on the same branch (RFC 3261 17.1.1.3)
                String toValue = m.header("To");
                ackForFinal = "ACK " + lastUri.getOrDefault("INVITE", "") + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP " + endpoint.hostPort() + ";branch=" + branch + ";rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: " + fromHeader + "\r\nTo: " + toValue + "\r\nCall-ID: " + callId
                        + "\r\nCSeq: " + number + " ACK\r\nContent-Length: 0\r\n\r\n";
                endpoint.send(ackForFinal, to);
            }
            // kept a while to absorb retransmissions of the answer (timers D and K, simplified)
            endpoint.later(() -> endpoint.forget(key), LeanEndpoint.TRANSACTION_TIMEOUT);
            LeanLeg.this.onResponse(this, m);
        }
    }
}
