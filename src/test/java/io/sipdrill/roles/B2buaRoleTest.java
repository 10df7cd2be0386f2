package io.sipdrill.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.AgentSettings;
import io.sipdrill.sip.SipAgent;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The B2BUA between sipdrill's caller and its own callee roles, seen on both legs. */
class B2buaRoleTest {
    static SipDrill drill;
    static SipAgent callee;
    static final List<SipMessageView> calleeSaw = new CopyOnWriteArrayList<>();
    static SipDrill.RunningRole redirect;
    static SipDrill.RunningRole pbx;
    static SipDrill.RunningRole relaying;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s",
                "sipdrill.roles.answer.user-status.ringing=180"));
        Settings s = drill.settings();
        callee = SipAgent.start(AgentSettings.loopback());
        AnswerRole answer = new AnswerRole(s.answer());
        callee.onRequest(request -> {
            calleeSaw.add(request.request());
            answer.onRequest(request);
        });
        callee.addObserver(w -> {
            if (!w.sent()) calleeSaw.add(w.message());
        });
        redirect = drill.startRole("redirect", s.withRedirect(new Settings.Redirect(302,
                List.of("<sip:{{user}}@" + callee.hostPort() + ">"), Map.of())), "127.0.0.1", 0, "udp");
        Settings.B2bua routes = s.b2bua().withRouting("sip:{{user}}@" + callee.hostPort(),
                Map.of("redirected", "sip:bob@" + redirect.address(), "outside", "sip:bob@10.20.30.40"));
        pbx = drill.startRole("b2bua", s.withB2bua(routes), "127.0.0.1", 0, "udp");
        Settings relay = TestSettings.with("sipdrill.roles.b2bua.on-redirect=relay", "sipdrill.roles.b2bua.answer-timeout=1s",
                "sipdrill.roles.answer.user-status.ringing=180");
        relaying = drill.startRole("b2bua", relay.withB2bua(relay.b2bua().withRouting("sip:{{user}}@" + callee.hostPort(),
                Map.of("redirected", "sip:bob@" + redirect.address()))), "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        drill.close();
        callee.close();
    }

    private ScenarioResult play(String scenario, String target, String... vars) {
        Map<String, String> v = new java.util.HashMap<>(Map.of("target", target));
        for (int i = 0; i < vars.length; i += 2) v.put(vars[i], vars[i + 1]);
        return drill.play(List.of(drill.loader().load(scenario)), v, "127.0.0.1", 0, "udp", r -> { }).get(0);
    }

    private static B2buaRole role(SipDrill.RunningRole r) {
        return (B2buaRole) r.role();
    }

    /** Calls another test left up on purpose (a completed transfer stays bridged) are not this test's. */
    private static int before(SipDrill.RunningRole r) {
        return role(r).activeBridges();
    }

    @Test
    void aCallThroughThePbxIsTwoCallsBridged() {
        int bridgesBefore = before(pbx);
        calleeSaw.clear();
        ScenarioResult r = play("basic/call", "sip:bob@" + pbx.address());
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        String aCallId = r.trace().get(0).message().header("Call-ID").orElseThrow();
        SipMessageView bInvite = calleeSaw.stream().filter(m -> m.isRequest() && m.method().equals("INVITE")).findFirst().orElseThrow();
        assertThat(bInvite.header("Call-ID")).isPresent().get().isNotEqualTo(aCallId);
        assertThat(bInvite.body()).as("SDP passed through").isEqualTo(r.trace().get(0).message().body());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(calleeSaw)
                .anyMatch(m -> m.isRequest() && m.method().equals("BYE")));
        await().atMost(Duration.ofSeconds(5)).until(() -> role(pbx).activeBridges() == bridgesBefore);
    }

    @Test
    void aCancelledCallIsCancelledOnTheBLegToo() {
        int bridgesBefore = before(pbx);
        calleeSaw.clear();
        ScenarioResult r = play("src/test/resources/test-scenarios/cancel-while-ringing.conf", "sip:ringing@" + pbx.address());
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(calleeSaw)
                .anyMatch(m -> m.isRequest() && m.method().equals("CANCEL")));
        await().atMost(Duration.ofSeconds(5)).until(() -> role(pbx).activeBridges() == bridgesBefore);
    }

    @Test
    void aBLegThatNeverAnswersIsCancelledAndTheCallerGets408() {
        int bridgesBefore = before(relaying);
        ScenarioResult r = play("basic/call", "sip:ringing@" + relaying.address());
        Check f = r.failure().orElseThrow();
        assertThat(f.actual()).startsWith("408 Request Timeout to INVITE (Reason: the B leg did not answer within 1 s)");
        await().atMost(Duration.ofSeconds(5)).until(() -> role(relaying).activeBridges() == bridgesBefore);
    }

    @Test
    void a3xxIsFollowedOrRelayedAsConfigured() {
        ScenarioResult recursed = play("b2bua/redirect-recursion", "sip:redirected@" + pbx.address());
        assertThat(recursed.passed()).as(String.valueOf(recursed.failure())).isTrue();
        assertThat(recursed.trace()).noneMatch(w -> w.message().status() == 302);
        ScenarioResult relayed = play("redirect/expect-302", "sip:redirected@" + relaying.address(),
                "expected-contact", "<sip:bob@" + callee.hostPort() + ">");
        assertThat(relayed.passed()).as(String.valueOf(relayed.failure())).isTrue();
    }

    @Test
    void aBLegTargetOutsideTheAllowedHostsIsNeverCalled() {
        Check f = play("basic/call", "sip:outside@" + pbx.address()).failure().orElseThrow();
        assertThat(f.actual()).isEqualTo("403 B-Leg Target Not Allowed to INVITE");
    }

    @Test
    void aTransferThroughThePbxRebridgesTheOtherParty() {
        calleeSaw.clear();
        ScenarioResult r = play("b2bua/transfer-through-pbx", "sip:bob@" + pbx.address(),
                "refer-to", "sip:carol@" + callee.hostPort(), "notify-within", "5s");
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        // the PBX called carol, and re-INVITEd bob's leg towards her media
        assertThat(calleeSaw).anyMatch(m -> m.isRequest() && m.method().equals("INVITE") && m.requestUri().contains("carol"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(calleeSaw.stream()
                .filter(m -> m.isRequest() && m.method().equals("INVITE") && m.header("To").orElse("").contains("tag=")))
                .isNotEmpty());
    }

    @Test
    void aRelayedReferIsCarriedOutByTheFarEndAndItsNotifiesComeBack() {
        Settings relay = TestSettings.with("sipdrill.roles.b2bua.on-refer=relay");
        // the far end is sipdrill's transferee: it gets the REFER through the PBX and calls carol itself
        SipDrill.RunningRole transferee = drill.startRole("transferee", "127.0.0.1", 0, "udp");
        SipDrill.RunningRole passing = drill.startRole("b2bua", relay.withB2bua(relay.b2bua().withRouting(
                "sip:{{user}}@" + transferee.address(), Map.of())), "127.0.0.1", 0, "udp");
        ScenarioResult r = play("refer/blind-transfer", "sip:bob@" + passing.address(),
                "refer-to", "sip:carol@" + callee.hostPort(), "notify-within", "5s");
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        assertThat(r.trace()).filteredOn(w -> !w.sent() && w.message().method().equals("NOTIFY"))
                .extracting(w -> w.message().body().trim()).contains("SIP/2.0 200 OK");
    }

    @Test
    void aReferToADisallowedHostIsRefusedWithoutNotify() {
        ScenarioResult r = play("refer/transfer-refused", "sip:bob@" + pbx.address(), "refer-to", "sip:mallory@10.1.2.3",
                "quiet-for", "500ms");
        assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        assertThat(r.checks()).extracting(Check::actual).contains("403 Refer-To Target Not Allowed to REFER");
    }

    @Test
    void aBLegRejectionIsRelayedWithItsReason() {
        int bridgesBefore = before(pbx);
        ScenarioResult r = play("basic/call", "sip:busy@" + pbx.address());
        assertThat(r.failure().orElseThrow().actual()).isEqualTo("486 Busy Here to INVITE");
        await().atMost(Duration.ofSeconds(5)).until(() -> role(pbx).activeBridges() == bridgesBefore);
        assertThat(r.trace()).filteredOn(WireMessage::sent).extracting(w -> w.message().method()).doesNotContain("BYE");
    }
}
