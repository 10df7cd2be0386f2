package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.WireMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redirection with SIPp on the other side: SIPp redirecting sipdrill, and SIPp calling sipdrill's redirect role. */
class SippRedirectInteropTest {
    static SipDrill drill;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=10s"));
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    @Test
    void sipdrillFollowsASippRedirectForEachOfTwoCalls() throws Exception {
        try (Sipp callee = Sipp.uas("uas-answer.xml", "udp", "-m", "2");
             Sipp redirector = Sipp.uas("uas-redirect-302.xml", "udp", "-m", "2",
                     "-set", "contact", "sip:carol@" + callee.address())) {
            ScenarioResult r = drill.play(List.of(drill.loader().load("redirect/follow-302")),
                    Map.of("target", "sip:bob@" + redirector.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
            assertThat(r.passed()).as(r.failure() + "\n" + redirector.log()).isTrue();
            long toRedirector = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE")
                    && w.to().equals(redirector.address())).map(w -> w.message().header("Call-ID")).distinct().count();
            assertThat(toRedirector).isEqualTo(2);
            // SIPp ends cleanly only after two redirected calls, each acknowledged
            assertThat(redirector.waitForExit(20)).as(redirector.log()).isZero();
            assertThat(callee.waitForExit(20)).as(callee.log()).isZero();
        }
    }

    @Test
    void aSippRedirectWithoutContactIsReportedAndAcknowledged() throws Exception {
        try (Sipp redirector = Sipp.uas("uas-redirect-302-no-contact.xml", "udp")) {
            ScenarioResult r = drill.play(List.of(drill.loader().load("redirect/follow-302")),
                    Map.of("target", "sip:bob@" + redirector.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
            assertThat(r.failure().orElseThrow().meaning())
                    .isEqualTo("the redirected call was not answered: 302 without Contact: nothing to retry");
            // one INVITE transaction (retransmissions share its CSeq), acknowledged, and no retry
            assertThat(r.trace()).filteredOn(w -> w.sent() && w.message().method().equals("INVITE"))
                    .extracting(w -> w.message().cseqNumber()).containsOnly(1L);
            assertThat(r.trace()).filteredOn(WireMessage::sent).extracting(w -> w.message().method()).contains("ACK");
            assertThat(redirector.waitForExit(20)).as(redirector.log()).isZero();
        }
    }

    @Test
    void aSippCallerGetsTheRedirectRolesContact() throws Exception {
        Settings.Redirect rules = new Settings.Redirect(302, List.of("<sip:carol@127.0.0.1:5080>"), Map.of());
        SipDrill.RunningRole redirect = drill.startRole("redirect", drill.settings().withRedirect(rules), "127.0.0.1", 0, "udp");
        try (Sipp right = Sipp.uac("uac-expect-302.xml", redirect.address(), "udp", "-set", "contact", "sip:carol@127.0.0.1:5080")) {
            assertThat(right.waitForExit(20)).as(right.log()).isZero();
        }
        try (Sipp wrong = Sipp.uac("uac-expect-302.xml", redirect.address(), "udp", "-set", "contact", "sip:carol@127.0.0.1:5099")) {
            assertThat(wrong.waitForExit(20)).as("SIPp's own check must catch a different Contact").isEqualTo(1);
        }
    }
}
