package io.sipdrill.stir;

import io.sipdrill.config.Settings;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the spam-blocking callee does with a call once its Identity is checked: an invalid one gets
 * the RFC 8224 error; a valid one (or none) goes by attestation level and the deny and allow lists.
 */
public final class AttestationPolicy {
    /** status 0 = answer; reason says which rule decided. */
    public record Decision(int status, String reason) {
        public boolean answer() { return status == 0; }
    }

    private final Settings.SpamCallee settings;
    private final Set<String> deny;
    private final Set<String> allow;

    public AttestationPolicy(Settings.SpamCallee settings) {
        this.settings = settings;
        this.deny = settings.denyTns().stream().map(Tn::canonical).collect(Collectors.toSet());
        this.allow = settings.allowTns().stream().map(Tn::canonical).collect(Collectors.toSet());
    }

    /** @param v the verification, or null when the INVITE carried no Identity header */
    public Decision decide(Verification v, String callerTn) {
        String caller = Tn.canonical(callerTn);
        if (v != null && !v.valid()) return new Decision(v.status(), v.reason());
        if (caller != null && deny.contains(caller)) return new Decision(607, "caller " + callerTn + " is on the deny list");
        if (caller != null && allow.contains(caller)) return new Decision(0, "caller " + callerTn + " is on the allow list");
        String level = v == null ? "missing" : v.attest();
        int status = settings.policy().get(level);
        String what = v == null ? "no Identity header"
                : "attestation " + level + " (orig.tn " + v.passport().origTn() + ", dest.tn " + v.passport().destTns() + ")";
        return new Decision(status, what + ": policy " + (status == 0 ? "answers" : "rejects with " + status));
    }
}
