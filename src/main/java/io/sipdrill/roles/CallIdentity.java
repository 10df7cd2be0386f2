package io.sipdrill.roles;

import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.SipTarget;
import io.sipdrill.stir.AttestationPolicy;
import io.sipdrill.stir.PassportVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Who an INVITE says is calling whom, and its STIR/SHAKEN verdict: shared by the roles that verify
 * (the spam-blocking callee, the B2BUA at its edge).
 */
final class CallIdentity {
    final List<String> callers;
    final List<String> callees;
    final Optional<String> identity;

    CallIdentity(ServerExchange request) {
        SipMessageView invite = request.request();
        callers = users(invite, "From", "P-Asserted-Identity");
        callees = new ArrayList<>();
        if (request.requestUser() != null) callees.add(request.requestUser());
        callees.addAll(users(invite, "To"));
        identity = invite.headers("Identity").stream().filter(h -> !h.contains("ppt=") || h.contains("ppt=shaken")).findFirst();
    }

    String caller() { return callers.isEmpty() ? "" : callers.get(0); }

    String callee() { return callees.isEmpty() ? "?" : callees.get(0); }

    /** Verifies the Identity (if any) and applies the policy; completes with the decision. */
    CompletableFuture<AttestationPolicy.Decision> decide(PassportVerifier verifier, AttestationPolicy policy) {
        var checked = identity.isPresent() ? verifier.verify(identity.get(), callers, callees)
                : CompletableFuture.completedFuture((io.sipdrill.stir.Verification) null);
        return checked.handle((v, failure) -> failure != null
                ? new AttestationPolicy.Decision(500, "verification failed: " + failure)
                : policy.decide(v, caller()));
    }

    static String reasonHeader(AttestationPolicy.Decision d) {
        return "SIP ;cause=" + d.status() + " ;text=\"" + d.reason().replace("\"", "'") + "\"";
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
