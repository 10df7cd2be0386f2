package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled REFER scenarios against sipdrill's own roles, over UDP and TCP, passing and failing. */
class TransferScenariosTest {
    static SipDrill drill;
    static SipDrill.RunningRole transferee;
    static SipDrill.RunningRole answer;
    static SipDrill.RunningRole transfereeAnswering200;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with());
        transferee = drill.startRole("transferee", "127.0.0.1", 0, "udp");
        answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
        SipDrill other = new SipDrill(TestSettings.with("sipdrill.roles.transferee.refer-response=200"));
        transfereeAnswering200 = other.startRole("transferee", "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        List.of(transfereeAnswering200).forEach(SipDrill.RunningRole::close);
        drill.close();
    }

    private ScenarioResult play(String scenario, String transport, Map<String, String> vars) {
        return drill.play(List.of(drill.loader().load(scenario)), vars, "127.0.0.1", 0, transport, r -> { }).get(0);
    }

    private static Map<String, String> transfer(SipDrill.RunningRole to, String referTo) {
        return Map.of("target", "sip:bob@" + to.address(), "refer-to", referTo,
                "notify-within", "5s", "quiet-for", "500ms");
    }

    @Test
    void blindTransferPassesOverUdpAndTcp() {
        for (String transport : List.of("udp", "tcp")) {
            ScenarioResult r = play("refer/blind-transfer", transport,
                    transfer(transferee, "sip:carol@" + answer.address() + (transport.equals("tcp") ? ";transport=tcp" : "")));
            assertThat(r.passed()).as(transport + ": " + r.failure()).isTrue();
            assertThat(r.trace()).extracting(w -> w.message().label())
                    .contains("INVITE", "REFER", "202 Accepted (REFER)", "NOTIFY", "BYE");
            assertThat(r.trace()).filteredOn(w -> !w.sent() && w.message().method().equals("NOTIFY"))
                    .extracting(w -> w.message().body().trim())
                    .contains("SIP/2.0 100 Trying", "SIP/2.0 200 OK");
        }
    }

    @Test
    void a200InsteadOf202IsAcceptedPerRfc7647() {
        ScenarioResult r = play("refer/blind-transfer", "udp",
                transfer(transfereeAnswering200, "sip:carol@" + answer.address()));
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        assertThat(r.checks()).extracting(Check::actual).contains("200 OK to REFER");
    }

    @Test
    void aTransferToABusyTargetFailsAndSaysWhatTheFinalNotifyReported() {
        ScenarioResult r = play("refer/blind-transfer", "udp", transfer(transferee, "sip:busy@" + answer.address()));
        assertThat(r.passed()).isFalse();
        Check f = r.failure().orElseThrow();
        assertThat(f.step()).isEqualTo("expect NOTIFY");
        assertThat(f.meaning()).isEqualTo("transfer failed: final NOTIFY reported 486 Busy Here");
        assertThat(f.fix()).contains("sip:busy@" + answer.address());
        assertThat(r.trace()).as(r.trace().stream().map(w -> (w.sent() ? "> " : "< ") + w.message().label()).toList().toString())
                .extracting(w -> w.message().label()).last().isEqualTo("200 OK (BYE)");
    }

    @Test
    void aPeerThatDoesNotAllowReferFailsAtThe2xxStep() {
        ScenarioResult r = play("refer/blind-transfer", "udp", transfer(answer, "sip:carol@" + answer.address()));
        Check f = r.failure().orElseThrow();
        assertThat(f.expected()).startsWith("2xx to REFER");
        assertThat(f.actual()).isEqualTo("405 Method Not Allowed to REFER");
        assertThat(f.meaning()).contains("did not accept the transfer");
    }

    @Test
    void noSubscriptionAndSecondReferAndTargetBusyPass() {
        for (String scenario : List.of("refer/no-subscription", "refer/second-refer", "refer/transfer-target-busy")) {
            String referTo = scenario.endsWith("busy") ? "sip:busy@" : "sip:carol@";
            Map<String, String> vars = new java.util.HashMap<>(transfer(transferee, referTo + answer.address()));
            if (scenario.endsWith("second-refer")) vars.put("second-refer-to", "sip:dave@" + answer.address());
            if (!scenario.endsWith("no-subscription")) vars.remove("quiet-for");
            if (scenario.endsWith("second-refer")) vars.remove("notify-within");
            ScenarioResult r = play(scenario, "udp", vars);
            assertThat(r.passed()).as(scenario + ": " + r.failure()).isTrue();
        }
    }

    @Test
    void aRefusedTargetGetsTheConfiguredErrorAndNoNotify() {
        ScenarioResult r = play("refer/transfer-refused", "udp", Map.of("target", "sip:bob@" + transferee.address(),
                "refer-to", "sip:mallory@10.1.2.3", "quiet-for", "500ms"));
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        assertThat(r.checks()).extracting(Check::actual).contains("603 Refer-To Target Not Allowed to REFER");
    }

    @Test
    void transferRefusedFailsTrulyWhenTheTransferIsAccepted() {
        ScenarioResult r = play("refer/transfer-refused", "udp", Map.of("target", "sip:bob@" + transferee.address(),
                "refer-to", "sip:carol@" + answer.address(), "quiet-for", "500ms"));
        Check f = r.failure().orElseThrow();
        assertThat(f.actual()).isEqualTo("202 Accepted to REFER");
        assertThat(f.meaning()).contains("accepted a transfer it was expected to refuse");
    }

    @Test
    void anUnansweredTargetFailsWithinTheStepLimitAndSaysSo() {
        try (SipDrill impatient = new SipDrill(TestSettings.with("sipdrill.run.default-within=1s"))) {
            // Port 9 (discard) on loopback: nothing answers the INVITE.
            ScenarioResult r = impatient.play(List.of(impatient.loader().load("basic/call")),
                    Map.of("target", "sip:bob@127.0.0.1:9"), "127.0.0.1", 0, "udp", x -> { }).get(0);
            Check f = r.failure().orElseThrow();
            assertThat(f.expected()).isEqualTo("200 to INVITE within 1 s");
            assertThat(f.actual()).isEqualTo("nothing");
            assertThat(f.meaning()).isEqualTo("the peer sent no final response to INVITE within 1 s");
            assertThat(f.fix()).contains("address, port and transport");
        }
    }
}
