package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.LegListener;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.Sdp;
import io.sipdrill.sip.RequestHandler;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipMessageView;

/**
 * A callee that answers: INVITE gets (180 and) 200 with SDP, or the status configured for its
 * Request-URI user; OPTIONS gets 200; in-dialog requests get 200. Other roles build on it.
 */
public class AnswerRole implements RequestHandler, LegListener, AutoCloseable {
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY";
    private final Settings.Answer settings;
    /** Where the role counts what it decides; none until metrics are kept. */
    protected volatile io.sipdrill.metrics.Metrics.Role meters;

    private final DigestChallenger challenger;

    public AnswerRole(Settings.Answer settings) {
        this.settings = settings;
        this.challenger = new DigestChallenger(settings.auth());
    }

    protected String allow() { return ALLOW; }

    @Override
    public void onRequest(ServerExchange request) {
        switch (request.method()) {
            case "INVITE" -> {
                if (admitted(request)) answerInvite(request);
            }
            case "OPTIONS" -> request.respond(Reply.of(200).header("Allow", allow()).header("Accept", Sdp.CONTENT_TYPE));
            case "ACK" -> { }
            case "BYE", "NOTIFY", "INFO", "UPDATE", "PRACK" -> request.respond(Reply.of(481));
            default -> request.respond(Reply.of(405).header("Allow", allow()));
        }
    }

    /** With auth configured, a new INVITE needs good credentials: else 401 or 407 (403 for wrong ones). */
    private boolean admitted(ServerExchange request) {
        if (!challenger.on()) return true;
        int status = settings.auth().challenge();
        DigestChallenger.Verdict v = challenger.check(request.request(), status);
        if (v == DigestChallenger.Verdict.ADMITTED) return true;
        count("answer.auth", "outcome", v.name().toLowerCase(java.util.Locale.ROOT));
        request.respond(v == DigestChallenger.Verdict.REJECTED ? Reply.of(403).withReason("Forbidden (credentials rejected)")
                : challenger.challenge(status, v == DigestChallenger.Verdict.STALE));
        return false;
    }

    protected void answerInvite(ServerExchange request) {
        Leg leg = request.leg(this);
        int status = statusFor(request.requestUser());
        if (settings.ring() && status >= 200) request.respond(Reply.of(180));
        if (status >= 200 && status < 300) {
            request.respond(Reply.withBody(status, Sdp.CONTENT_TYPE,
                    Sdp.audio(leg.agent().host(), 40000)));
        } else {
            request.respond(Reply.of(status));
        }
    }

    private int statusFor(String user) {
        return user != null ? settings.userStatus().getOrDefault(user, settings.status()) : settings.status();
    }

    @Override
    public void onRequest(Leg leg, ServerExchange request) {
        switch (request.method()) {
            case "ACK", "CANCEL" -> { }
            case "INVITE" -> request.respond(Reply.withBody(200, Sdp.CONTENT_TYPE, Sdp.audio(leg.agent().host(), 40000)));
            case "BYE", "INFO", "UPDATE", "NOTIFY", "OPTIONS" -> request.respond(Reply.of(200));
            default -> request.respond(Reply.of(405).header("Allow", allow()));
        }
    }

    @Override
    public void onResponse(Leg leg, SipMessageView response) { }

    @Override
    public void onTimeout(Leg leg, String method) { }

    public void metrics(io.sipdrill.metrics.Metrics.Role roleMeters) {
        this.meters = roleMeters;
    }

    /** Counts one decision of this role, when metrics are kept. */
    protected void count(String name, String... tags) {
        var m = meters;
        if (m != null) m.count(name, tags);
    }

    /** Roles that judge calls report one line per call here; the others have nothing to say. */
    public void verdicts(java.util.function.Consumer<String> sink) { }

    @Override
    public void close() { }
}
