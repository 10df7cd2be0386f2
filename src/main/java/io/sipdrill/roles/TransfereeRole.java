package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.OutgoingRequest;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.Sdp;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipTarget;
import io.sipdrill.sip.TargetPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The party asked to transfer (RFC 3515, RFC 5589): answers calls like {@link AnswerRole}; on an
 * in-dialog REFER it accepts with 2xx, calls the Refer-To target itself and reports that call's
 * progress to the referrer in message/sipfrag NOTIFYs, unless the referrer said Refer-Sub: false
 * (RFC 4488). It only calls targets the {@link TargetPolicy} allows.
 */
public final class TransfereeRole extends AnswerRole {
    private static final Logger LOG = LoggerFactory.getLogger(TransfereeRole.class);
    /** Embedded Refer-To headers a transferee must not copy: the stack owns them. */
    private static final List<String> STACK_HEADERS = List.of("via", "call-id", "cseq", "from", "to",
            "contact", "content-length", "max-forwards", "route", "record-route");

    private final Settings.Transferee settings;
    private final TargetPolicy policy;
    private final Map<Leg, AtomicInteger> refersPerDialog = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "transferee-timers");
        t.setDaemon(true);
        return t;
    });

    public TransfereeRole(Settings.Answer answer, Settings.Transferee settings) {
        super(answer);
        this.settings = settings;
        this.policy = new TargetPolicy(settings.allowedTargets());
    }

    @Override
    protected String allow() { return ALLOW + ", REFER"; }

    @Override
    public void onRequest(Leg leg, ServerExchange request) {
        if (request.method().equals("REFER")) {
            refer(leg, request);
        } else {
            super.onRequest(leg, request);
        }
    }

    @Override
    public void onEnded(Leg leg) {
        refersPerDialog.remove(leg);
    }

    private void refer(Leg dialog, ServerExchange request) {
        List<String> referTo = request.request().headers("Refer-To");
        if (referTo.size() != 1) {
            request.respond(Reply.of(400).withReason(referTo.isEmpty() ? "Missing Refer-To" : "Multiple Refer-To"));
            return;
        }
        SipTarget target;
        try {
            target = SipTarget.parse(referTo.get(0));
        } catch (SipException e) {
            request.respond(Reply.of(settings.refusedTargetResponse()).withReason("Refer-To Not Callable"));
            return;
        }
        if (!policy.allows(target.host())) {
            LOG.info("refusing REFER to {}: host not in allowed-targets {}", target.uri(), policy.allowed());
            request.respond(Reply.of(settings.refusedTargetResponse()).withReason("Refer-To Target Not Allowed"));
            return;
        }
        boolean subscribe = !request.request().header("Refer-Sub").map(v -> v.trim().equalsIgnoreCase("false"))
                .orElse(false);
        Reply accepted = Reply.of(settings.referResponse());
        if (!subscribe) accepted = accepted.header("Refer-Sub", "false");
        int nth = refersPerDialog.computeIfAbsent(dialog, d -> new AtomicInteger()).incrementAndGet();
        // The first subscription of a dialog may omit the id; later ones must carry the REFER's CSeq.
        String event = nth == 1 ? "refer" : "refer;id=" + request.request().cseqNumber();
        request.respond(accepted);
        Progress progress = new Progress(dialog, event, subscribe);
        progress.report(100, "Trying", false);
        placeCall(request, target, progress);
    }

    private void placeCall(ServerExchange refer, SipTarget target, Progress progress) {
        Leg call = refer.agent().newLeg(new TransferCall(progress));
        OutgoingRequest invite = OutgoingRequest.outOfDialog("INVITE", target.uri(), progress.dialog.localUri(), target.uri())
                .withBody(Sdp.CONTENT_TYPE, Sdp.audio(refer.agent().host(), 40002));
        var referredBy = refer.request().header("Referred-By");
        if (referredBy.isPresent()) invite = invite.header("Referred-By", referredBy.get());
        for (var h : target.embeddedHeaders().entrySet()) {
            if (!STACK_HEADERS.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                invite = invite.header(h.getKey(), h.getValue());
            }
        }
        try {
            call.send(invite);
        } catch (SipException e) {
            LOG.info("transfer call to {} failed: {}", target.uri(), e.getMessage());
            progress.report(503, "Service Unavailable", true);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }

    /** The implicit subscription a REFER creates: NOTIFYs with the new call's progress. */
    private final class Progress {
        final Leg dialog;
        final String event;
        final boolean subscribed;
        volatile boolean terminated;

        Progress(Leg dialog, String event, boolean subscribed) {
            this.dialog = dialog;
            this.event = event;
            this.subscribed = subscribed;
        }

        void report(int status, String reason, boolean last) {
            TransfereeRole.this.notify(this, status, reason, last);
        }
    }

    private final class TransferCall implements io.sipdrill.sip.LegListener {
        private final Progress progress;

        TransferCall(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void onResponse(Leg leg, io.sipdrill.sip.SipMessageView response) {
            if (!response.cseqMethod().equals("INVITE")) return;
            int status = response.status();
            if (status >= 200 && status < 300) {
                leg.ack();
                progress.report(status, response.reason(), true);
                timers.schedule(() -> hangUp(leg), settings.transferredCallHold().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                progress.report(status, response.reason(), status >= 200);
            }
        }

        @Override
        public void onRequest(Leg leg, ServerExchange request) {
            if (!request.method().equals("ACK")) request.respond(Reply.of(200));
        }

        @Override
        public void onTimeout(Leg leg, String method) {
            if (method.equals("INVITE")) progress.report(408, "Request Timeout", true);
        }

        @Override
        public void onTransportError(Leg leg, String method, String reason) {
            if (method.equals("INVITE")) progress.report(503, "Service Unavailable", true);
        }

        private void hangUp(Leg leg) {
            try {
                if (!leg.isEnded()) leg.send(OutgoingRequest.inDialog("BYE"));
            } catch (SipException e) {
                LOG.debug("hanging up the transferred call: {}", e.getMessage());
            }
        }
    }

    private void notify(Progress p, int status, String reason, boolean last) {
        if (!p.subscribed || p.terminated) return;
        if (last) p.terminated = true;
        String state = last ? "terminated;reason=noresource" : "active;expires=" + settings.subscriptionExpires();
        try {
            p.dialog.send(OutgoingRequest.inDialog("NOTIFY")
                    .header("Event", p.event)
                    .header("Subscription-State", state)
                    .withBody("message/sipfrag;version=2.0", "SIP/2.0 " + status + " " + reason + "\r\n"));
        } catch (SipException e) {
            // the referrer may already have hung up; the subscription dies with its dialog
            LOG.debug("NOTIFY {} not sent: {}", status, e.getMessage());
        }
    }
}
