package io.sipdrill.sip;

import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A {@link Leg} on JAIN-SIP: the dialog once it exists, plus the requests that create it. It sends
 * described requests (the stack fills the rest) and reports what arrives to its listener.
 */
public final class StackLeg implements Leg {
    private final SipAgent agent;
    private volatile LegListener listener;
    private final String localTag;
    private volatile SipProvider provider;
    private volatile Dialog dialog;
    private volatile ClientTransaction invite;
    private volatile Request lastInvite;
    private volatile long inviteCseq;
    private volatile boolean ended;
    /** The last request of each method sent outside a dialog: what a challenge or a 423 re-sends. */
    private final Map<String, OutgoingRequest> lastInDialog = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Request> lastOutOfDialog = new java.util.concurrent.ConcurrentHashMap<>();

    StackLeg(SipAgent agent, LegListener listener, Dialog dialog) {
        this.agent = agent;
        this.listener = listener;
        this.dialog = dialog;
        this.provider = agent.provider();
        this.localTag = newTag();
        if (dialog != null) dialog.setApplicationData(this);
    }

    /** A random tag (RFC 3261 19.3 asks for 32 bits of randomness; no cryptographic strength needed). */
    static String newTag() {
        return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
    }

    LegListener listener() { return listener; }

    String localTag() { return localTag; }

    void provider(SipProvider p) { this.provider = p; }

    @Override
    public SipAgent agent() { return agent; }

    @Override
    public boolean hasDialog() { return dialog != null && dialog.getState() != null; }

    @Override
    public boolean confirmed() { return dialog != null && dialog.getState() == DialogState.CONFIRMED; }

    @Override
    public boolean isEnded() {
        return ended || (dialog != null && dialog.getState() == DialogState.TERMINATED);
    }

    @Override
    public String callId() {
        return dialog == null ? "" : dialog.getCallId().getCallId();
    }

    /** The dialog's remote URI (the peer's address of record). */
    @Override
    public String remoteUri() {
        return dialog == null || dialog.getRemoteParty() == null ? "" : dialog.getRemoteParty().getURI().toString();
    }

    /** The dialog's local URI: who this side is in the call. */
    @Override
    public String localUri() {
        return dialog == null || dialog.getLocalParty() == null ? "" : dialog.getLocalParty().getURI().toString();
    }

    @Override
    public String dialogLocalTag() { return dialog == null ? "" : String.valueOf(dialog.getLocalTag()); }

    @Override
    public String dialogRemoteTag() { return dialog == null ? "" : String.valueOf(dialog.getRemoteTag()); }

    /**
     * Sends a request: in the dialog when one exists, otherwise as a new request that may create
     * one (INVITE). Returns the CSeq number used.
     */
    @Override
    public long send(OutgoingRequest spec) {
        try {
            if (spec.method().equals(Request.ACK)) return ack();
            if (spec.method().equals(Request.CANCEL)) return cancel();
            boolean inDialog = dialog != null && dialog.getState() != null
                    && dialog.getState() != DialogState.EARLY && dialog.getState() != DialogState.TERMINATED;
            Request request = inDialog ? dialog.createRequest(spec.method()) : newRequest(spec);
            apply(request, spec.headers(), spec.contentType(), spec.body());
            ClientTransaction ct = provider.getNewClientTransaction(request);
            ct.setApplicationData(this);
            long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
            agent.counter.request(spec.method(), true);
            if (spec.method().equals(Request.INVITE)) {
                invite = ct;
                inviteCseq = cseq;
                if (!inDialog) lastInvite = request;
            }
            // known before it goes out: the peer may close the connection the moment it has read it
            agent.sentOverStream(ct, this);
            try {
                if (inDialog) {
                    lastInDialog.put(spec.method(), spec);
                    dialog.sendRequest(ct);
                } else {
                    lastOutOfDialog.put(spec.method(), request);
                    if (dialog == null) adoptDialog(ct);
                    ct.sendRequest();
                }
            } catch (Exception e) {
                agent.notSent(ct);
                throw e;
            }
            return cseq;
        } catch (SipException e) {
            throw e;
        } catch (Exception e) {
            throw TransportFailure.of(spec.method(), e);
        }
    }

    /**
     * Sends the last INVITE again to another Request-URI, after a 3xx or a failed redirect target:
     * a new transaction with the same Call-ID, From tag and body, and the next CSeq (RFC 3261
     * 8.1.3.4). Returns the CSeq number used.
     */
    @Override
    public long retarget(String uri) {
        if (lastInvite == null) throw new SipException("cannot follow a redirect: no INVITE was sent on this call");
        try {
            URI target = agent.parsed.uri(uri.trim());
            Request next = (Request) lastInvite.clone();
            next.setRequestURI(target);
            next.setHeader(agent.contactHeader(transportFor(target, "INVITE"), secure(target)));
            return sendCopy(next, inviteCseq + 1, Map.of());
        } catch (SipException e) {
            throw e;
        } catch (Exception e) {
            throw TransportFailure.of("INVITE to " + uri, e);
        }
    }

    /** The Request-URI of the last request of this method this leg sent, or null. */
    @Override
    public String lastRequestUri(String method) {
        Request r = lastOutOfDialog.get(method);
        if (r != null && !(hasDialog() && lastInDialog.containsKey(method))) return r.getRequestURI().toString();
        return dialog == null || dialog.getRemoteTarget() == null ? null : dialog.getRemoteTarget().getURI().toString();
    }

    /**
     * Sends the last request of this method again as a new transaction with the next CSeq and the
     * given headers set (credentials after 401/407, a longer Expires after 423): RFC 3261 22.2
     * and 10.2.8. Outside a dialog it is a copy with the same Call-ID and From tag; in a dialog a
     * new request of the dialog. Returns the CSeq number used.
     */
    @Override
    public long resend(String method, Map<String, String> headers) {
        try {
            OutgoingRequest inDialogSpec = lastInDialog.get(method);
            if (inDialogSpec != null && confirmed()) {
                OutgoingRequest spec = inDialogSpec;
                for (var h : headers.entrySet()) spec = spec.header(h.getKey(), h.getValue());
                long cseq = send(spec);
                lastInDialog.put(method, inDialogSpec); // credentials are computed anew for each challenge
                return cseq;
            }
            Request last = lastOutOfDialog.get(method);
            if (last == null) throw new SipException("cannot send " + method + " again: none was sent on this leg");
            agent.counter.request(method, true);
            return sendCopy((Request) last.clone(), ((CSeqHeader) last.getHeader(CSeqHeader.NAME)).getSeqNumber() + 1,
                    headers);
        } catch (SipException e) {
            throw e;
        } catch (Exception e) {
            throw TransportFailure.of(method + " again", e);
        }
    }

    /**
     * Sends a copy of an earlier request outside any dialog as a new transaction: the given CSeq,
     * a fresh Via (new branch), the given headers set; an INVITE becomes the leg's pending one.
     */
    private long sendCopy(Request next, long cseq, Map<String, String> headers) throws Exception {
        String method = next.getMethod();
        ((CSeqHeader) next.getHeader(CSeqHeader.NAME)).setSeqNumber(cseq);
        String transport = transportFor(next.getRequestURI(), method);
        next.removeHeader(ViaHeader.NAME);
        next.addHeader(agent.headers.createViaHeader(agent.host(), agent.port(), transport, null));
        for (var h : headers.entrySet()) next.setHeader(agent.parsed.header(h.getKey(), h.getValue()));
        provider = agent.provider(transport);
        ClientTransaction ct = provider.getNewClientTransaction(next);
        ct.setApplicationData(this);
        lastOutOfDialog.put(method, next);
        if (method.equals(Request.INVITE)) {
            invite = ct;
            inviteCseq = cseq;
            lastInvite = next;
            adoptDialog(ct);
        }
        agent.sentOverStream(ct, this);
        try {
            ct.sendRequest();
        } catch (Exception e) {
            agent.notSent(ct);
            throw e;
        }
        return cseq;
    }

    /** Acknowledges the last 2xx to INVITE (non-2xx are acknowledged by the transaction layer). */
    @Override
    public long ack() {
        if (dialog == null) throw new SipException("cannot send ACK: no dialog (no 2xx to INVITE yet)");
        try {
            Request ack = dialog.createAck(inviteCseq);
            dialog.sendAck(ack);
            return inviteCseq;
        } catch (Exception e) {
            throw new SipException("cannot send ACK: " + describe(e), e);
        }
    }

    /** Cancels the pending INVITE (RFC 3261 9.1). */
    @Override
    public long cancel() {
        if (invite == null) throw new SipException("cannot send CANCEL: no INVITE pending");
        try {
            Request cancel = invite.createCancel();
            ClientTransaction ct = provider.getNewClientTransaction(cancel);
            ct.setApplicationData(this);
            ct.sendRequest();
            return inviteCseq;
        } catch (Exception e) {
            throw new SipException("cannot send CANCEL: " + describe(e), e);
        }
    }

    void onResponse(Response response, ClientTransaction ct) {
        if (ct == null) return; // a retransmitted 2xx: the dialog layer re-sends the ACK itself
        if (dialog == null) adoptDialog(ct);
        listener.onResponse(this, SipMessageView.of(response, false));
    }

    /** Takes the dialog the stack made for a client transaction as this leg's own. */
    private void adoptDialog(ClientTransaction ct) {
        if (ct.getDialog() != null) {
            dialog = ct.getDialog();
            dialog.setApplicationData(this);
        }
    }

    /**
     * The transport a request to this URI goes over: its transport parameter, TLS for sips:, else
     * the agent's, which is then written into the URI so the stack's router picks it too.
     */
    private String transportFor(URI target, String method) {
        if (!(target instanceof SipURI sip)) throw new SipException("cannot send " + method + " to " + target
                + ": only sip: and sips: URIs can be called");
        String transport = agent.transport();
        if (sip.getTransportParam() != null) {
            transport = sip.getTransportParam().toLowerCase(java.util.Locale.ROOT);
        } else if (sip.isSecure()) {
            transport = "tls";
        } else if (!transport.equals("udp")) {
            try {
                sip.setTransportParam(transport);
            } catch (ParseException e) {
                throw new SipException("cannot set transport " + transport + " on " + target);
            }
        }
        if (agent.provider(transport) == null) {
            throw new SipException(transport.equals("tls")
                    ? target + " is to be called over TLS, and sipdrill was started without it: run with --transport tls"
                    : "sipdrill does not send over " + transport + " with --transport " + agent.transport()
                            + " (udp and tcp, or udp and tls)");
        }
        return transport;
    }

    private static boolean secure(URI target) {
        return target instanceof SipURI sip && sip.isSecure();
    }

    /**
     * The call is over for its owner: JAIN-SIP keeps finished dialogs and transactions for a while
     * (retransmissions), and through them this leg; dropping the listener keeps the owner's state
     * (a played scenario, a bridge) from lingering with them. Later requests get 481.
     */
    @Override
    public void release() {
        listener = RELEASED;
        lastInvite = null;
        lastOutOfDialog.clear();
        lastInDialog.clear();
    }

    private static final LegListener RELEASED = new LegListener() {
        @Override public void onResponse(Leg leg, SipMessageView response) { }
        @Override public void onRequest(Leg leg, ServerExchange request) { request.respondIfUnanswered(Reply.of(481)); }
        @Override public void onTimeout(Leg leg, String method) { }
    };

    void ended() {
        if (ended) return;
        ended = true;
        listener.onEnded(this);
    }

    private Request newRequest(OutgoingRequest spec) throws ParseException, javax.sip.InvalidArgumentException {
        if (spec.requestUri() == null || spec.requestUri().isBlank()) {
            throw new SipException("cannot send " + spec.method() + ": no target URI");
        }
        URI target = agent.parsed.uri(spec.requestUri().trim());
        String transport = transportFor(target, spec.method());
        provider = agent.provider(transport);
        String fromText = spec.from() == null ? agent.uri(agent.settings.user()) : spec.from();
        String toText = spec.to() == null ? spec.requestUri() : spec.to();
        Address from = agent.parsed.address(fromText.trim());
        Address to = agent.parsed.address(toText.trim());
        CallIdHeader callId = provider.getNewCallId();
        CSeqHeader cseq = agent.headers.createCSeqHeader(1L, spec.method());
        ViaHeader via = agent.headers.createViaHeader(agent.host(), agent.port(), transport, null);
        Request request = agent.messages.createRequest(target, spec.method(), callId, cseq,
                agent.headers.createFromHeader(from, localTag), agent.headers.createToHeader(to, null),
                List.of(via), agent.headers.createMaxForwardsHeader(70));
        request.setHeader(agent.contactHeader(transport, secure(target)));
        javax.sip.header.RouteHeader proxy = agent.outboundRoute();
        if (proxy != null) request.addHeader(proxy);
        return request;
    }

    /** Applies header overrides (a repeated name adds a further header) and the body. */
    static void apply(SipAgent agent, Message message, List<Map.Entry<String, String>> overrides,
                      String contentType, String body) throws ParseException {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> h : overrides) {
            for (Header header : agent.parsed.headers(h.getKey(), h.getValue())) {
                if (seen.add(header.getName().toLowerCase(java.util.Locale.ROOT))) {
                    message.setHeader(header);
                } else {
                    message.addHeader(header);
                }
            }
        }
        if (body != null && !body.isEmpty()) {
            String type = contentType == null ? "application/sdp" : contentType;
            message.setContent(body, (ContentTypeHeader) agent.parsed.header(ContentTypeHeader.NAME, type));
        }
    }

    private void apply(Request request, List<Map.Entry<String, String>> overrides, String type, String body)
            throws ParseException {
        apply(agent, request, overrides, type, body);
    }

    static String describe(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
