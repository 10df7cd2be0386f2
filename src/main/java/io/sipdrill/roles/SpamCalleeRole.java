package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.SipTarget;
import io.sipdrill.stir.AttestationPolicy;
import io.sipdrill.stir.PassportVerifier;
import io.sipdrill.stir.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A callee that blocks unwanted calls (RFC 8197, RFC 8224, RFC 8588): it verifies each INVITE's
 * Identity header, then answers, or rejects with 607 Unwanted (or what the policy says), or with
 * the verification error (428, 436, 437, 438, 403). Every rejection carries a Reason header saying
 * which check or rule decided. Verification waits for x5u fetches without holding a stack thread.
 */
public final class SpamCalleeRole extends AnswerRole {
    private static final Logger LOG = LoggerFactory.getLogger(SpamCalleeRole.class);
    private final PassportVerifier verifier;
    private final AttestationPolicy policy;
    private volatile java.util.function.Consumer<String> verdicts = line -> LOG.info(line);

    public SpamCalleeRole(Settings.Answer answer, PassportVerifier verifier, AttestationPolicy policy) {
        super(answer);
        this.verifier = verifier;
        this.policy = policy;
    }

    /** Where the one-line verdict of each call goes (serve prints them). */
    @Override
    public void verdicts(java.util.function.Consumer<String> sink) {
        this.verdicts = sink;
    }

    @Override
    protected void answerInvite(ServerExchange request) {
        SipMessageView invite = request.request();
        List<String> callers = users(invite, "From", "P-Asserted-Identity");
        List<String> callees = new ArrayList<>();
        if (request.requestUser() != null) callees.add(request.requestUser());
        callees.addAll(users(invite, "To"));
        Optional<String> identity = invite.headers("Identity").stream()
                .filter(h -> !h.contains("ppt=") || h.contains("ppt=shaken")).findFirst();
        CompletableFuture<Verification> checked = identity.isPresent()
                ? verifier.verify(identity.get(), callers, callees) : CompletableFuture.completedFuture(null);
        String caller = callers.isEmpty() ? "" : callers.get(0);
        if (!checked.isDone()) request.respond(Reply.of(100)); // the check may take a while (x5u fetch)
        checked.whenComplete((v, failure) -> {
            try {
                AttestationPolicy.Decision d = failure != null
                        ? new AttestationPolicy.Decision(500, "verification failed: " + failure)
                        : policy.decide(v, caller);
                verdicts.accept((d.answer() ? "200 answered " : d.status() + " rejected ") + caller + " -> "
                        + (callees.isEmpty() ? "?" : callees.get(0)) + ": " + d.reason());
                if (d.answer()) {
                    super.answerInvite(request);
                } else {
                    request.respond(Reply.of(d.status()).header("Reason",
                            "SIP ;cause=" + d.status() + " ;text=\"" + d.reason().replace("\"", "'") + "\""));
                }
            } catch (SipException e) {
                LOG.debug("answering a verified INVITE: {}", e.getMessage());
            }
        });
    }

    private static List<String> users(SipMessageView m, String... headers) {
        List<String> users = new ArrayList<>();
        for (String h : headers) {
            for (String value : m.headers(h)) {
                int close = value.indexOf('>');
                if (close > 0) value = value.substring(0, close + 1); // header parameters (;tag=) are not the URI's
                try {
                    String user = SipTarget.parse(value).user();
                    if (user != null) users.add(user);
                } catch (SipException notSip) {
                    int tel = value.indexOf("tel:");
                    if (tel >= 0) users.add(value.substring(tel + 4).replaceAll("[>;].*", ""));
                }
            }
        }
        return users;
    }
}
