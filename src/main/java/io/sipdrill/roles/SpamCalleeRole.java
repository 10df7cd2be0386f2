package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.stir.AttestationPolicy;
import io.sipdrill.stir.PassportVerifier;
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
        CallIdentity who = new CallIdentity(request);
        CompletableFuture<AttestationPolicy.Decision> decided = who.decide(verifier, policy);
        if (!decided.isDone()) request.respond(Reply.of(100)); // the check may take a while (x5u fetch)
        decided.thenAccept(d -> {
            try {
                count("stir.verifications", "result", d.answer() ? "answered" : Integer.toString(d.status()));
                verdicts.accept((d.answer() ? "200 answered " : d.status() + " rejected ") + who.caller() + " -> "
                        + who.callee() + ": " + d.reason());
                if (d.answer()) {
                    super.answerInvite(request);
                } else {
                    request.respond(Reply.of(d.status()).header("Reason", CallIdentity.reasonHeader(d)));
                }
            } catch (SipException e) {
                LOG.debug("answering a verified INVITE: {}", e.getMessage());
            }
        });
    }
}
