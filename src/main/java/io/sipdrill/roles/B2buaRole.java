package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.OutgoingRequest;
import io.sipdrill.sip.RedirectFollower;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.Sdp;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.SipTarget;
import io.sipdrill.sip.TargetPolicy;
import io.sipdrill.stir.AttestationPolicy;
import io.sipdrill.stir.PassportSigner;
import io.sipdrill.stir.PassportVerifier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PBX/SBC stand-in (RFC 7092 B2BUA): each call that arrives (A leg) is placed again as a call of
 * its own (B leg: its own Call-ID, tags and CSeq) to a configured target, and the two are bridged:
 * SDP passed through, provisional and final responses relayed, BYE and CANCEL carried across. A
 * 3xx on the B leg is followed or relayed, a 6xx relayed and final. A REFER from either leg is
 * carried out by the B2BUA (the referring party's peer is re-bridged to the new target) or
 * relayed. It only calls hosts its configuration allows.
 */
public final class B2buaRole extends AnswerRole {
    private static final Logger LOG = LoggerFactory.getLogger(B2buaRole.class);
    /** Headers a Refer-To may carry into the INVITE it asks for (Replaces: attended transfer, RFC 3891). */
    private static final List<String> EMBEDDABLE = List.of("replaces", "require", "accept-contact");
    /** Headers that explain a failure, relayed with it. */
    private static final List<String> RELAYED = List.of("Reason", "Warning", "Retry-After", "Call-Info");

    private final Settings.B2bua settings;
    private final TargetPolicy allowed;
    private final int maxRedirects;
    private final PassportVerifier verifier;
    private final AttestationPolicy policy;
    private final PassportSigner signer;
    private final Map<Leg, Bridge> bridges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "b2bua-timers");
        t.setDaemon(true);
        return t;
    });
    private volatile java.util.function.Consumer<String> verdicts = line -> LOG.info(line);

    public B2buaRole(Settings.Answer answer, Settings.B2bua settings, int maxRedirects, PassportVerifier verifier,
                     AttestationPolicy policy, PassportSigner signer) {
        super(answer);
        this.settings = settings;
        this.allowed = new TargetPolicy(settings.allowedTargets());
        this.maxRedirects = maxRedirects;
        this.verifier = verifier;
        this.policy = policy;
        this.signer = signer;
        if (settings.stirOutbound().equals("sign") && signer == null) {
            throw new IllegalArgumentException("sipdrill.roles.b2bua.stir.outbound = sign needs a signing key: set "
                    + "sipdrill.stir.sign.private-key and sipdrill.stir.sign.x5u (./sipdrill keys init DIR makes a key)");
        }
    }

    @Override
    public void verdicts(java.util.function.Consumer<String> sink) {
        this.verdicts = sink;
    }

    /** The calls currently bridged or being set up (for tests: nothing may be left after a call ends). */
    public int activeBridges() {
        return (int) bridges.values().stream().distinct().count();
    }

    /** Two legs bridged; the callee side is replaced when a transfer succeeds. */
    private final class Bridge {
        final ServerExchange callerInvite;
        volatile Leg caller;
        volatile Leg callee;
        volatile boolean answered;
        volatile boolean ended;
        volatile String callerSdp;
        volatile String calleeSdp;
        volatile RedirectFollower redirects;
        volatile ScheduledFuture<?> ringTimer;
        volatile Transfer transfer;

        Bridge(ServerExchange callerInvite) {
            this.callerInvite = callerInvite;
        }

        Leg peer(Leg l) {
            return l == caller ? callee : caller;
        }

        void end() {
            ended = true;
            if (ringTimer != null) ringTimer.cancel(false);
            bridges.values().removeIf(b -> b == this);
        }
    }

    /** A transfer the B2BUA carries out for a REFER: the new leg, and who asked. */
    private record Transfer(Leg target, Leg transferor, String event) { }

    // ---- A leg: a new call ----------------------------------------------------------------

    @Override
    protected void answerInvite(ServerExchange request) {
        CallIdentity who = new CallIdentity(request);
        String target = targetFor(request.requestUser());
        if (target == null) {
            request.respond(Reply.of(404).withReason("No Route"));
            return;
        }
        SipTarget t;
        try {
            t = SipTarget.parse(target);
        } catch (SipException e) {
            request.respond(Reply.of(500).withReason("Bad B-Leg Target"));
            return;
        }
        if (!allowed.allows(t.host())) {
            verdicts.accept("403 " + who.caller() + " -> " + target + ": host not in sipdrill.roles.b2bua.allowed-targets");
            request.respond(Reply.of(403).withReason("B-Leg Target Not Allowed"));
            return;
        }
        request.respond(Reply.of(100));
        if (settings.stirInbound().equals("verify") && verifier != null) {
            who.decide(verifier, policy).thenAccept(d -> {
                if (d.answer()) {
                    placeCall(request, who, t.uri());
                } else {
                    verdicts.accept(d.status() + " " + who.caller() + " -> " + who.callee() + ": " + d.reason());
                    request.respond(Reply.of(d.status()).header("Reason", CallIdentity.reasonHeader(d)));
                }
            });
        } else {
            placeCall(request, who, t.uri());
        }
    }

    private String targetFor(String user) {
        String u = user == null ? "" : user;
        String rule = settings.rules().get(u);
        String target = rule != null ? rule : settings.target();
        return target == null || target.isBlank() ? null : target.replace("{{user}}", u);
    }

    private void placeCall(ServerExchange request, CallIdentity who, String target) {
        Bridge bridge = new Bridge(request);
        SipMessageView invite = request.request();
        bridge.caller = request.leg(this);
        bridge.callerSdp = invite.body();
        bridges.put(bridge.caller, bridge);
        Leg b = request.agent().newLeg(this);
        bridge.callee = b;
        bridges.put(b, bridge);
        OutgoingRequest out = OutgoingRequest.outOfDialog("INVITE", target, fromOf(invite), target);
        if (!invite.body().isEmpty()) {
            out = out.withBody(invite.header("Content-Type").orElse(Sdp.CONTENT_TYPE), invite.body());
        }
        out = identity(out, who, target);
        if (settings.recurse()) bridge.redirects = new RedirectFollower(target, target, maxRedirects, allowed);
        try {
            b.send(out);
        } catch (SipException e) {
            fail(bridge, 503, "B leg not sent: " + e.getMessage());
            return;
        }
        bridge.ringTimer = timers.schedule(() -> ringTimeout(bridge), settings.answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The B leg's From: the caller's address, under the B2BUA's own tag (the stack adds it). */
    private static String fromOf(SipMessageView invite) {
        String from = invite.header("From").orElse("");
        int close = from.indexOf('>');
        return close > 0 ? from.substring(0, close + 1) : from.replaceAll(";\\s*tag=[^;]*", "");
    }

    private OutgoingRequest identity(OutgoingRequest out, CallIdentity who, String target) {
        switch (settings.stirOutbound()) {
            case "pass" -> {
                if (who.identity.isPresent()) return out.header("Identity", who.identity.get());
            }
            case "sign" -> {
                try {
                    String dest = SipTarget.parse(target).user();
                    return out.header("Identity", signer.identity(settings.attestation(), who.caller(),
                            dest == null ? who.callee() : dest, System.currentTimeMillis() / 1000));
                } catch (RuntimeException notNumbers) {
                    LOG.info("not signing the B leg: {}", notNumbers.getMessage());
                }
            }
            default -> { }
        }
        return out;
    }

    private void ringTimeout(Bridge bridge) {
        if (bridge.answered || bridge.ended) return;
        Leg b = bridge.callee;
        // the caller hears 408 first; the 487 the CANCEL brings back then finds no bridge to relay to
        fail(bridge, 408, "the B leg did not answer within " + settings.answerTimeout().toSeconds() + " s");
        try {
            b.cancel();
        } catch (SipException ignored) {
            // it may have just failed on its own
        }
    }

    /** Ends a call that never got answered, telling the caller why. */
    private void fail(Bridge bridge, int status, String why) {
        if (bridge.ended) return;
        count("b2bua.legs", "leg", "a", "class", status / 100 + "xx");
        verdicts.accept(status + " " + bridge.callerInvite.request().header("From").orElse("") + ": " + why);
        bridge.callerInvite.respond(Reply.of(status).header("Reason", "SIP ;cause=" + status + " ;text=\"" + why + "\""));
        bridge.end();
    }

    // ---- what the legs send the B2BUA ---------------------------------------------------

    @Override
    public void onResponse(Leg leg, SipMessageView r) {
        Bridge bridge = bridges.get(leg);
        if (bridge == null) return;
        if (bridge.transfer != null && leg == bridge.transfer.target()) {
            transferProgress(bridge, r);
        } else if (r.cseqMethod().equals("INVITE") && leg == bridge.callee && !bridge.answered) {
            calleeAnswer(bridge, leg, r);
        } else if (r.cseqMethod().equals("INVITE") && r.status() >= 200 && r.status() < 300) {
            leg.ack(); // a re-INVITE the B2BUA sent after a transfer
        }
    }

    private void calleeAnswer(Bridge bridge, Leg b, SipMessageView r) {
        int s = r.status();
        if (s == 100 || bridge.ended) return;
        if (s >= 200) count("b2bua.legs", "leg", "b", "class", s / 100 + "xx");
        if (s >= 200 && !(s >= 300 && s < 400 && bridge.redirects != null)) {
            count("b2bua.legs", "leg", "a", "class", s / 100 + "xx");
            verdicts.accept(s + " " + r.reason() + ": A leg " + bridge.callerInvite.request().header("Call-ID").orElse("")
                    + " <-> B leg " + r.header("Call-ID").orElse("") + " to " + b.remoteUri()
                    + (bridge.redirects != null && bridge.redirects.followed() > 0 ? " via " + bridge.redirects.pathText() : ""));
        }
        if (s < 200) {
            bridge.callerInvite.respond(relay(r));
        } else if (s < 300) {
            b.ack();
            bridge.answered = true;
            bridge.calleeSdp = r.body();
            if (bridge.ringTimer != null) bridge.ringTimer.cancel(false);
            bridge.callerInvite.respond(relay(r));
        } else if (bridge.redirects != null && s < 600) {
            follow(bridge, b, r);
        } else {
            bridge.callerInvite.respond(relay(r)); // 6xx is final: relayed unchanged, nothing else is tried
            bridge.end();
        }
    }

    /** Recursion on the B leg, as the caller side does it (RFC 3261 8.1.3.4). */
    private void follow(Bridge bridge, Leg b, SipMessageView r) {
        RedirectFollower.Decision d = bridge.redirects.onFinal(r);
        while (d instanceof RedirectFollower.Retry retry) {
            try {
                b.retarget(retry.uri());
                bridge.redirects.sent(retry.uri());
                return;
            } catch (SipException e) {
                bridge.redirects.sent(retry.uri());
                d = bridge.redirects.onNoAnswer("not sent: " + e.getMessage());
            }
        }
        if (d instanceof RedirectFollower.Failed f) {
            fail(bridge, r.status() >= 400 ? r.status() : 480, f.why());
        } else {
            bridge.callerInvite.respond(relay(r));
            bridge.end();
        }
    }

    /** The same response for the other leg: status, reason, body, and what explains a failure or redirect. */
    private static Reply relay(SipMessageView r) {
        Reply reply = new Reply(r.status(), r.reason(), List.of(), null, null);
        if (!r.body().isEmpty()) reply = Reply.withBody(r.status(), r.header("Content-Type").orElse(Sdp.CONTENT_TYPE),
                r.body()).withReason(r.reason());
        for (String h : RELAYED) {
            for (String v : r.headers(h)) reply = reply.header(h, v);
        }
        if (r.status() >= 300 && r.status() < 400) {
            for (String v : r.headers("Contact")) reply = reply.header("Contact", v);
        }
        return reply;
    }

    @Override
    public void onRequest(Leg leg, ServerExchange request) {
        Bridge bridge = bridges.get(leg);
        String m = request.method();
        if (bridge == null) {
            // a leg no longer bridged (a transferor after its transfer): let it finish politely
            if (!m.equals("ACK")) request.respond(Reply.of(m.equals("BYE") || m.equals("NOTIFY") ? 200 : 481));
            return;
        }
        switch (m) {
            case "ACK" -> { }
            case "BYE" -> {
                request.respond(Reply.of(200));
                hangUp(bridge, leg);
            }
            case "CANCEL" -> {
                // the caller gave up before an answer: the agent has answered 487; cancel the B leg too
                try {
                    if (bridge.callee != null && !bridge.answered) bridge.callee.cancel();
                } catch (SipException ignored) {
                    // the B leg was already answered or ended
                }
                bridge.end();
            }
            case "REFER" -> refer(bridge, leg, request);
            case "NOTIFY" -> {
                request.respond(Reply.of(200));
                // on-refer = relay: the far end reports the transfer; the referrer on the other leg hears it
                if (!settings.referLocally() && request.request().header("Event").orElse("").startsWith("refer")) {
                    relayNotify(bridge.peer(leg), request.request());
                }
            }
            case "INVITE" -> request.respond(Reply.withBody(200, Sdp.CONTENT_TYPE,
                    leg == bridge.caller ? orAudio(bridge.calleeSdp, request) : orAudio(bridge.callerSdp, request)));
            default -> request.respond(Reply.of(200));
        }
    }

    private static String orAudio(String sdp, ServerExchange request) {
        return sdp == null || sdp.isEmpty() ? Sdp.audio(request.agent().host(), 40004) : sdp;
    }

    /** One side hung up: the other is hung up too, and the bridge is gone. */
    private void hangUp(Bridge bridge, Leg from) {
        Leg other = bridge.peer(from);
        bridge.end();
        if (bridge.transfer != null) end(bridge.transfer.target());
        if (other == null) return;
        if (!bridge.answered && other == bridge.callee) {
            try {
                other.cancel();
            } catch (SipException ignored) {
                // already over
            }
        } else {
            end(other);
        }
    }

    private static void end(Leg leg) {
        try {
            if (leg != null && leg.confirmed() && !leg.isEnded()) leg.send(OutgoingRequest.inDialog("BYE"));
        } catch (SipException e) {
            LOG.debug("BYE not sent: {}", e.getMessage());
        }
    }

    @Override
    public void onTimeout(Leg leg, String method) {
        Bridge bridge = bridges.get(leg);
        if (bridge == null) return;
        if (method.equals("INVITE") && leg == bridge.callee && !bridge.answered) {
            if (bridge.redirects != null && bridge.redirects.followed() > 0) {
                RedirectFollower.Decision d = bridge.redirects.onNoAnswer("no answer");
                if (d instanceof RedirectFollower.Retry retry) {
                    try {
                        leg.retarget(retry.uri());
                        bridge.redirects.sent(retry.uri());
                        return;
                    } catch (SipException ignored) {
                        // fall through to failure
                    }
                }
            }
            fail(bridge, 408, "the B leg never answered (transaction timeout)");
        } else if (method.equals("BYE") || method.equals("INVITE")) {
            hangUp(bridge, leg); // a leg that vanished mid-call takes the call down
        }
    }

    @Override
    public void onTransportError(Leg leg, String method, String reason) {
        Bridge bridge = bridges.get(leg);
        if (bridge != null && leg == bridge.callee && !bridge.answered) fail(bridge, 503, "B leg unreachable: " + reason);
    }

    @Override
    public void onEnded(Leg leg) {
        Bridge bridge = bridges.remove(leg);
        if (bridge != null && !bridge.ended && !bridges.containsValue(bridge)) bridge.end();
    }

    // ---- transfers ------------------------------------------------------------------------

    /**
     * A REFER from a leg: carried out here, as a PBX does for a blind transfer (RFC 5589 section 6:
     * the referrer is the transferor; the new target is called and bridged to the referrer's peer),
     * or relayed across.
     */
    private void refer(Bridge bridge, Leg referrer, ServerExchange request) {
        Leg peer = bridge.peer(referrer);
        if (!settings.referLocally()) {
            relayRefer(peer, request);
            return;
        }
        List<String> referTo = request.request().headers("Refer-To");
        SipTarget target;
        try {
            if (referTo.size() != 1) throw new SipException("one Refer-To needed");
            target = SipTarget.parse(referTo.get(0));
        } catch (SipException e) {
            request.respond(Reply.of(400).withReason("Bad Refer-To"));
            return;
        }
        if (!allowed.allows(target.host())) {
            verdicts.accept(settings.refusedReferResponse() + " REFER to " + target.uri() + ": host not in allowed-targets");
            request.respond(Reply.of(settings.refusedReferResponse()).withReason("Refer-To Target Not Allowed"));
            return;
        }
        if (!bridge.answered || bridge.transfer != null) {
            request.respond(Reply.of(491).withReason("Call Not Ready For Transfer"));
            return;
        }
        request.respond(Reply.of(202));
        Transfer t = new Transfer(request.agent().newLeg(this), referrer, "refer");
        bridge.transfer = t;
        bridges.put(t.target(), bridge);
        notifyProgress(t, "SIP/2.0 100 Trying", false);
        String peerSdp = peer == bridge.caller ? bridge.callerSdp : bridge.calleeSdp;
        OutgoingRequest invite = OutgoingRequest.outOfDialog("INVITE", target.uri(), peer.remoteUri(), target.uri())
                .withBody(Sdp.CONTENT_TYPE, peerSdp == null || peerSdp.isEmpty() ? Sdp.audio(request.agent().host(), 40004) : peerSdp);
        for (String rb : request.request().headers("Referred-By")) invite = invite.header("Referred-By", rb);
        for (var h : target.embeddedHeaders().entrySet()) {
            if (EMBEDDABLE.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) invite = invite.header(h.getKey(), h.getValue());
        }
        try {
            t.target().send(invite);
        } catch (SipException e) {
            notifyProgress(t, "SIP/2.0 503 Service Unavailable", true);
            bridges.remove(t.target());
            bridge.transfer = null;
        }
    }

    private void transferProgress(Bridge bridge, SipMessageView r) {
        Transfer t = bridge.transfer;
        if (!r.cseqMethod().equals("INVITE") || r.status() == 100) return;
        String frag = "SIP/2.0 " + r.status() + " " + r.reason();
        if (r.status() < 200) {
            notifyProgress(t, frag, false);
            return;
        }
        bridge.transfer = null;
        if (r.status() >= 300) {
            bridges.remove(t.target());
            notifyProgress(t, frag, true); // the old bridge stays as it was
            return;
        }
        t.target().ack();
        notifyProgress(t, frag, true);
        // re-bridge: the referrer's peer now talks to the new target; the referrer leaves the bridge
        Leg peer = bridge.peer(t.transferor());
        bridges.remove(t.transferor());
        if (t.transferor() == bridge.caller) {
            bridge.caller = t.target();
            bridge.callerSdp = r.body();
        } else {
            bridge.callee = t.target();
            bridge.calleeSdp = r.body();
        }
        try {
            peer.send(OutgoingRequest.inDialog("INVITE").withBody(Sdp.CONTENT_TYPE, r.body().isEmpty()
                    ? Sdp.audio(peer.agent().host(), 40004) : r.body()));
        } catch (SipException e) {
            LOG.debug("re-INVITE after transfer not sent: {}", e.getMessage());
        }
    }

    private void notifyProgress(Transfer t, String sipfrag, boolean last) {
        try {
            t.transferor().send(OutgoingRequest.inDialog("NOTIFY").header("Event", t.event())
                    .header("Subscription-State", last ? "terminated;reason=noresource" : "active;expires=60")
                    .withBody("message/sipfrag;version=2.0", sipfrag + "\r\n"));
        } catch (SipException e) {
            LOG.debug("transfer NOTIFY not sent: {}", e.getMessage());
        }
    }

    /** on-refer = relay: the REFER goes across to the other leg and its answer comes back. */
    private void relayRefer(Leg peer, ServerExchange request) {
        SipMessageView refer = request.request();
        OutgoingRequest out = OutgoingRequest.inDialog("REFER");
        for (String h : List.of("Refer-To", "Referred-By", "Refer-Sub", "Supported")) {
            for (String v : refer.headers(h)) out = out.header(h, v);
        }
        try {
            peer.send(out);
            request.respond(Reply.of(202)); // accepted for relaying; the far end's NOTIFYs report the outcome
        } catch (SipException e) {
            request.respond(Reply.of(503).withReason("REFER Not Relayed"));
        }
    }

    private static void relayNotify(Leg to, SipMessageView notify) {
        if (to == null) return;
        OutgoingRequest out = OutgoingRequest.inDialog("NOTIFY");
        for (String h : List.of("Event", "Subscription-State")) {
            for (String v : notify.headers(h)) out = out.header(h, v);
        }
        out = out.withBody(notify.header("Content-Type").orElse("message/sipfrag"), notify.body());
        try {
            to.send(out);
        } catch (SipException e) {
            LOG.debug("NOTIFY not relayed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
