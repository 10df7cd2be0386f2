package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.sip.WireMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The caller following 3xx, against sipdrill's redirect role with rules made for each case. */
class RedirectScenariosTest {
    static final String HELPER = "src/test/resources/test-scenarios/call-following-redirects.conf";
    static SipDrill drill;
    static SipDrill.RunningRole answer;
    static SipDrill.RunningRole redirect;
    static SipDrill.RunningRole permanent;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s", "sipdrill.run.max-redirects=3"));
        answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
        String a = answer.address();
        Settings.Redirect rules = new Settings.Redirect(302, List.of("<sip:{{user}}@" + a + ">"), Map.ofEntries(
                Map.entry("nowhere", List.of()),
                Map.entry("self", List.of("<sip:self@{{self}}>")),
                Map.entry("tel", List.of("<tel:+15550100>")),
                Map.entry("web", List.of("<http://example.org/>")),
                Map.entry("elsewhere", List.of("<sip:carol@10.9.9.9>")),
                Map.entry("both-fail", List.of("<sip:busy@" + a + ">;q=0.8", "<sip:unavailable@" + a + ">;q=0.3")),
                Map.entry("declined", List.of("<sip:decline@" + a + ">;q=0.9", "<sip:carol@" + a + ">;q=0.1")),
                Map.entry("chain1", List.of("<sip:chain2@{{self}}>")),
                Map.entry("chain2", List.of("<sip:chain3@{{self}}>")),
                Map.entry("chain3", List.of("<sip:chain4@{{self}}>")),
                Map.entry("chain4", List.of("<sip:carol@" + a + ">"))));
        redirect = drill.startRole("redirect", drill.settings().withRedirect(rules), "127.0.0.1", 0, "udp");
        permanent = drill.startRole("redirect", drill.settings().withRedirect(
                new Settings.Redirect(301, List.of("<sip:{{user}}@" + a + ">"), Map.of())), "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    private ScenarioResult play(String scenario, String transport, String target) {
        return drill.play(List.of(drill.loader().load(scenario)), Map.of("target", target), "127.0.0.1", 0, transport,
                r -> { }).get(0);
    }

    private ScenarioResult call(String user) {
        return play(HELPER, "udp", "sip:" + user + "@" + redirect.address());
    }

    /** INVITE transactions sent to an address (a UDP retransmission is the same transaction). */
    private static long invitesTo(ScenarioResult r, String address) {
        return r.trace().stream().filter(WireMessage::sent)
                .filter(w -> w.message().method().equals("INVITE") && w.to().equals(address))
                .map(w -> w.message().header("Call-ID").orElse("") + " " + w.message().cseqNumber()).distinct().count();
    }

    private static <T> java.util.function.Predicate<T> distinctBy(java.util.function.Function<T, Object> key) {
        java.util.Set<Object> seen = new java.util.HashSet<>();
        return t -> seen.add(key.apply(t));
    }

    @Test
    void follow302PassesAndEachCallStartsAtTheOriginalUri() {
        for (String transport : List.of("udp", "tcp")) {
            String t = transport.equals("tcp") ? ";transport=tcp" : "";
            ScenarioResult r = play("redirect/follow-302", transport, "sip:bob@" + redirect.address() + t);
            assertThat(r.passed()).as(transport + ": " + r.failure()).isTrue();
            assertThat(invitesTo(r, redirect.address())).as("the redirecting side saw two INVITEs").isEqualTo(2);
            assertThat(invitesTo(r, answer.address())).isEqualTo(2);
        }
    }

    @Test
    void aRetryKeepsCallIdAndFromTagAndIncrementsCseq() {
        ScenarioResult r = call("bob");
        List<WireMessage> invites = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE"))
                .filter(distinctBy(w -> w.message().cseqNumber())).toList();
        assertThat(invites).hasSize(2);
        assertThat(invites.get(1).message().header("Call-ID")).isEqualTo(invites.get(0).message().header("Call-ID"));
        assertThat(invites.get(1).message().header("From")).isEqualTo(invites.get(0).message().header("From"));
        assertThat(invites.get(1).message().cseqNumber()).isEqualTo(invites.get(0).message().cseqNumber() + 1);
        assertThat(invites.get(1).message().requestUri()).isEqualTo("sip:bob@" + answer.address());
        assertThat(invites.get(1).message().header("To").orElseThrow()).contains("sip:bob@" + redirect.address());
    }

    @Test
    void a301IsRememberedForTheNextCallButA302IsNot() {
        ScenarioResult first = play(HELPER, "udp", "sip:bob@" + permanent.address());
        ScenarioResult second = play(HELPER, "udp", "sip:bob@" + permanent.address());
        assertThat(first.passed() && second.passed()).isTrue();
        // each play() is its own run; within one run the second call goes straight to the Contact
        ScenarioResult both = drill.play(List.of(drill.loader().load(HELPER), drill.loader().load(HELPER)),
                Map.of("target", "sip:bob@" + permanent.address()), "127.0.0.1", 0, "udp", x -> { }).get(1);
        assertThat(invitesTo(both, permanent.address())).isZero();
        assertThat(invitesTo(both, answer.address())).isEqualTo(1);
    }

    @Test
    void multipleContactsAreTriedInQOrderAndAFailureFallsThrough() {
        ScenarioResult r = drill.play(List.of(drill.loader().load("redirect/multiple-contacts")),
                Map.of("target", "sip:both-fail@" + redirect.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
        Check f = r.failure().orElseThrow();
        assertThat(f.meaning()).isEqualTo("no Contact answered: redirect target set exhausted: sip:busy@" + answer.address()
                + " (486 Busy Here), sip:unavailable@" + answer.address() + " (480 Temporarily Unavailable)");
    }

    @Test
    void a6xxFromAContactIsDefinitiveAndNoOtherContactIsTried() {
        ScenarioResult r = call("declined");
        Check f = r.failure().orElseThrow();
        assertThat(f.actual()).isEqualTo("603 Decline to INVITE");
        assertThat(invitesTo(r, answer.address())).isEqualTo(1);
        assertThat(r.trace()).noneMatch(w -> w.sent() && w.message().requestUri().contains("carol"));
        assertThat(r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE"))
                .map(w -> w.message().cseqNumber()).distinct().count()).isEqualTo(2);
    }

    @Test
    void a302WithoutContactSaysThereIsNothingToRetry() {
        Check f = call("nowhere").failure().orElseThrow();
        assertThat(f.meaning()).isEqualTo("302 without Contact: nothing to retry");
        assertThat(f.actual()).isEqualTo("302 Moved Temporarily to INVITE (302 without Contact: nothing to retry)");
    }

    @Test
    void aRedirectToTheSameUriIsALoop() {
        Check f = call("self").failure().orElseThrow();
        assertThat(f.meaning()).isEqualTo("302 redirects to the URI it was sent to (sip:self@" + redirect.address() + ")");
    }

    @Test
    void aLoopThroughAnotherUriIsReportedWithItsPath() {
        ScenarioResult r = drill.play(List.of(drill.loader().load("redirect/loop-detected")),
                Map.of("target", "sip:chain1@" + redirect.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
        // chain1 -> chain2 -> chain3 -> chain4: four 3xx, over the limit of 3 set here
        Check f = r.failure().orElseThrow();
        assertThat(f.meaning()).startsWith("the chain ended without a loop being detected (redirect limit of 3 reached: "
                + "sip:chain1@" + redirect.address());
        ScenarioResult demoLoop = play("redirect/loop-detected", "udp", "sip:self@" + redirect.address());
        assertThat(demoLoop.passed()).as(String.valueOf(demoLoop.failure())).isTrue();
    }

    @Test
    void contactsThatCannotOrMayNotBeCalledAreNotCalledAndTheVerdictSaysWhy() {
        assertThat(call("tel").failure().orElseThrow().meaning())
                .isEqualTo("Contact <tel:+15550100>: only sip: URIs can be called, not tel: (tel:+15550100); not called");
        assertThat(call("web").failure().orElseThrow().meaning()).contains("only sip: URIs can be called, not http:");
        ScenarioResult elsewhere = call("elsewhere");
        assertThat(elsewhere.failure().orElseThrow().meaning()).isEqualTo(
                "Contact sip:carol@10.9.9.9: its host is not in sipdrill.run.redirect-allowed-targets; not called");
        assertThat(elsewhere.trace()).noneMatch(w -> w.to().startsWith("10.9.9.9"));
    }

    @Test
    void expect302ChecksWhereTheTargetRedirectsTo() {
        ScenarioResult ok = drill.play(List.of(drill.loader().load("redirect/expect-302")),
                Map.of("target", "sip:bob@" + redirect.address(), "expected-contact", "<sip:bob@" + answer.address() + ">"),
                "127.0.0.1", 0, "udp", x -> { }).get(0);
        assertThat(ok.passed()).as(String.valueOf(ok.failure())).isTrue();
        ScenarioResult wrong = drill.play(List.of(drill.loader().load("redirect/expect-302")),
                Map.of("target", "sip:bob@" + redirect.address(), "expected-contact", "<sip:voicemail@.*>"),
                "127.0.0.1", 0, "udp", x -> { }).get(0);
        assertThat(wrong.failure().orElseThrow().meaning())
                .isEqualTo("the 302 redirects to <sip:bob@" + answer.address() + ">, not where expected");
        ScenarioResult notRedirecting = drill.play(List.of(drill.loader().load("redirect/expect-302")),
                Map.of("target", "sip:bob@" + answer.address()), "127.0.0.1", 0, "udp", x -> { }).get(0);
        assertThat(notRedirecting.failure().orElseThrow().meaning()).isEqualTo("the target did not redirect (200 OK to INVITE)");
    }
}
