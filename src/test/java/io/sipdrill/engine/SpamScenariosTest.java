package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.stir.TestPki;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing callers against the spam-blocking callee, with its policy changed per case. */
class SpamScenariosTest {
    @TempDir
    static Path pki;
    static SipDrill drill;
    static SipDrill.RunningRole blocker;
    static SipDrill.RunningRole strict;

    @BeforeAll
    static void start() throws Exception {
        TestPki.create(pki, "1234", false);
        String anchors = "sipdrill.stir.verify.trust-anchors=[\"" + pki.resolve("ca-cert.pem") + "\"]";
        drill = new SipDrill(TestSettings.with(anchors,
                "sipdrill.stir.sign.private-key=\"" + pki.resolve("sp-key.pem") + "\"",
                "sipdrill.stir.sign.certificate=\"" + pki.resolve("sp-cert.pem") + "\"",
                "sipdrill.roles.spam-callee.deny-tns=[\"+1 555 666 0000\"]"));
        drill.startHttp("127.0.0.1", 0);
        blocker = drill.startRole("spam-callee", "127.0.0.1", 0, "udp");
        SipDrill other = new SipDrill(TestSettings.with(anchors, "sipdrill.roles.spam-callee.policy.missing=428",
                "sipdrill.roles.spam-callee.policy.B=608"));
        strict = other.startRole("spam-callee", "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        strict.close();
        drill.close();
    }

    private ScenarioResult play(String scenario, SipDrill.RunningRole callee, String... vars) {
        Map<String, String> v = new java.util.HashMap<>(Map.of("target", "sip:+15551240000@" + callee.address()));
        for (int i = 0; i < vars.length; i += 2) v.put(vars[i], vars[i + 1]);
        return drill.play(List.of(drill.loader().load(scenario)), v, "127.0.0.1", 0, "udp", r -> { }).get(0);
    }

    @Test
    void theBundledSpamScenariosPass() {
        for (String s : List.of("spam/signed-call", "spam/expect-607", "spam/attestation-ladder")) {
            ScenarioResult r = play(s, blocker);
            assertThat(r.passed()).as(s + ": " + r.failure()).isTrue();
        }
    }

    @Test
    void aLegitimateCallRejected607IsExplainedWithTheFix() {
        Check f = play("spam/signed-call", blocker, "attestation", "C").failure().orElseThrow();
        assertThat(f.actual()).isEqualTo("607 Unwanted to INVITE (Reason: attestation C (orig.tn 15551230000, "
                + "dest.tn [15551240000]): policy rejects with 607)");
        assertThat(f.meaning()).startsWith("the callee's system judged the call unwanted (607, RFC 8197), often on STIR/SHAKEN grounds");
        assertThat(f.fix()).contains("full attestation A");
    }

    @Test
    void expect607FailsTrulyWhenTheCallIsAnswered() {
        Check f = play("spam/expect-607", blocker, "attestation", "A").failure().orElseThrow();
        assertThat(f.meaning()).isEqualTo("a call attested A was not rejected as unwanted: 200 OK to INVITE");
    }

    @Test
    void theDenyListAndOtherPoliciesDecide() {
        Check denied = play("spam/signed-call", blocker, "caller", "+15556660000").failure().orElseThrow();
        assertThat(denied.actual()).contains("607 Unwanted", "caller +15556660000 is on the deny list");
        Check unsigned = play("spam/signed-call", strict, "attestation", "none").failure().orElseThrow();
        assertThat(unsigned.actual()).startsWith("428 Use Identity Header to INVITE (Reason: no Identity header: policy rejects with 428)");
        Check b = play("spam/signed-call", strict, "attestation", "B").failure().orElseThrow();
        assertThat(b.actual()).startsWith("608 Rejected");
    }

    @Test
    void signingWithoutANumberOrAKeyIsBadInput() {
        assertThatThrownBy(() -> play("spam/signed-call", blocker, "caller", "alice"))
                .isInstanceOf(ScenarioRunner.BadVariable.class)
                .hasMessageContaining("cannot sign this call: the caller \"alice\" is not a telephone number");
        try (SipDrill keyless = new SipDrill(TestSettings.with())) {
            assertThatThrownBy(() -> keyless.play(List.of(keyless.loader().load("spam/signed-call")),
                    Map.of("target", "sip:+15551240000@" + blocker.address()), "127.0.0.1", 0, "udp", r -> { }))
                    .isInstanceOf(ScenarioRunner.BadVariable.class)
                    .hasMessageContaining("no key is set");
        }
    }
}
