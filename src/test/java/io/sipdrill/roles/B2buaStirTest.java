package io.sipdrill.roles;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.stir.TestPki;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STIR/SHAKEN at the B2BUA's edge: verifying what comes in, signing what goes out. */
class B2buaStirTest {
    @TempDir
    Path pki;

    @Test
    void theEdgeVerifiesInboundAndSignsOutbound() throws Exception {
        TestPki.create(pki, "1234", false);
        String anchors = "sipdrill.stir.verify.trust-anchors=[\"" + pki.resolve("ca-cert.pem") + "\"]";
        String key = "sipdrill.stir.sign.private-key=\"" + pki.resolve("sp-key.pem") + "\"";
        String cert = "sipdrill.stir.sign.certificate=\"" + pki.resolve("sp-cert.pem") + "\"";
        try (SipDrill drill = new SipDrill(TestSettings.with(anchors, key, cert, "sipdrill.run.default-within=5s"))) {
            drill.startHttp("127.0.0.1", 0);
            SipDrill.RunningRole blocker = drill.startRole("spam-callee", "127.0.0.1", 0, "udp");

            Settings signing = TestSettings.with(anchors, key, cert, "sipdrill.roles.b2bua.stir.outbound=sign",
                    "sipdrill.stir.sign.x5u=\"" + drill.x5u() + "\"");
            SipDrill.RunningRole authenticator = drill.startRole("b2bua", signing.withB2bua(signing.b2bua().withRouting(
                    "sip:{{user}}@" + blocker.address(), Map.of())), "127.0.0.1", 0, "udp");
            ScenarioResult signed = drill.play(List.of(drill.loader().load("spam/signed-call")),
                    Map.of("target", "sip:+15551240000@" + authenticator.address(), "attestation", "none"),
                    "127.0.0.1", 0, "udp", r -> { }).get(0);
            assertThat(signed.passed()).as("an unsigned caller is answered: the edge signed at A\n" + signed.failure()).isTrue();

            Settings verifying = TestSettings.with(anchors, "sipdrill.roles.b2bua.stir.inbound=verify");
            SipDrill.RunningRole gate = drill.startRole("b2bua", verifying.withB2bua(verifying.b2bua().withRouting(
                    "sip:{{user}}@" + blocker.address(), Map.of())), "127.0.0.1", 0, "udp");
            ScenarioResult blocked = drill.play(List.of(drill.loader().load("spam/expect-607")),
                    Map.of("target", "sip:+15551240000@" + gate.address(), "attestation", "C"),
                    "127.0.0.1", 0, "udp", r -> { }).get(0);
            assertThat(blocked.passed()).as(String.valueOf(blocked.failure())).isTrue();
            assertThat(((B2buaRole) gate.role()).activeBridges()).as("rejected at the edge: no B leg").isZero();
        }
    }
}
