package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Load mode against the answer role: counts that add up, failures grouped by reason, an early stop. */
class LoadRunnerTest {
    static SipDrill drill;
    static SipDrill.RunningRole answer;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"));
        answer = drill.startRole("answer", "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    private LoadRunner runner(String user, double rate, long calls) {
        return drill.load(drill.loader().load("basic/call"), Map.of("target", "sip:" + user + "@" + answer.address()),
                "127.0.0.1", 0, "udp", new LoadRunner.Options(rate, calls, 20, null));
    }

    @Test
    void everyCallIsCountedAndTimed() throws Exception {
        List<String> progress = new CopyOnWriteArrayList<>();
        LoadRunner.Summary s = runner("bob", 200, 300).run(progress::add);
        assertThat(s.started()).isEqualTo(300);
        assertThat(s.passed() + s.failed()).isEqualTo(300);
        assertThat(s.failed()).isZero();
        assertThat(s.percentilesMs()).containsKeys("INVITE", "BYE");
        assertThat(s.percentilesMs().get("INVITE")[1]).isGreaterThan(0).isGreaterThanOrEqualTo(s.percentilesMs().get("INVITE")[0]);
        assertThat(progress).isNotEmpty().allMatch(l -> l.contains("calls/s (target 200.0)"));
    }

    @Test
    void theSameCallsGoThroughJainSipWhenTheLeanPathIsSwitchedOffOrCannotCarryThem() throws Exception {
        try (SipDrill stack = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s", "sipdrill.run.lean-load=false"))) {
            LoadRunner r = stack.load(stack.loader().load("basic/call"), Map.of("target", "sip:bob@" + answer.address()),
                    "127.0.0.1", 0, "udp", new LoadRunner.Options(200, 100, 20, null));
            assertThat(r.sipPath()).isEqualTo("JAIN-SIP (sipdrill.run.lean-load = false)");
            LoadRunner.Summary s = r.run(l -> { });
            assertThat(s.passed()).isEqualTo(100);
        }
        assertThat(runner("bob", 200, 1).sipPath()).isEqualTo("sipdrill's lean UDP path");
        LoadRunner tcp = drill.load(drill.loader().load("basic/call"), Map.of("target", "sip:bob@" + answer.address() + ";transport=tcp"),
                "127.0.0.1", 0, "tcp", new LoadRunner.Options(200, 50, 20, null));
        assertThat(tcp.sipPath()).isEqualTo("JAIN-SIP (transport tcp)");
        assertThat(tcp.run(l -> { }).passed()).isEqualTo(50);
    }

    @Test
    void failuresAreGroupedByWhatWentWrong() throws Exception {
        LoadRunner.Summary s = runner("busy", 200, 40).run(l -> { });
        assertThat(s.failed()).isEqualTo(40);
        assertThat(s.failures()).containsExactly(Map.entry(
                "expect 200 to INVITE: expected 200 to INVITE, got 486 Busy Here to INVITE", 40L));
    }

    @Test
    void aStopEndsTheRunWithASummaryOfWhatWasStarted() throws Exception {
        LoadRunner r = runner("bob", 100, 1_000_000);
        List<String> lines = new ArrayList<>();
        Thread stopper = new Thread(() -> {
            org.awaitility.Awaitility.await().until(() -> !lines.isEmpty());
            r.stop();
        });
        stopper.start();
        LoadRunner.Summary s = r.run(lines::add);
        assertThat(s.stoppedEarly()).isTrue();
        assertThat(s.started()).isBetween(50L, 1000L);
        assertThat(s.passed() + s.failed()).isEqualTo(s.started());
        assertThat(s.notStarted()).isEqualTo(1_000_000 - s.started());
    }

    @Test
    void aPeerThatStopsAnsweringEndsTheRunAfterOneRoundOfTimeouts() throws Exception {
        try (SipDrill own = new SipDrill(TestSettings.with("sipdrill.run.default-within=1s"))) {
            SipDrill.RunningRole peer = own.startRole("answer", "127.0.0.1", 0, "udp");
            LoadRunner r = own.load(own.loader().load("basic/call"), Map.of("target", "sip:bob@" + peer.address()),
                    "127.0.0.1", 0, "udp", new LoadRunner.Options(100, 1_000_000, 5, null));
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread killer = new Thread(() -> {
                org.awaitility.Awaitility.await().until(() -> lines.stream().anyMatch(l -> !l.contains("completed 0 ")));
                peer.close();
            });
            killer.start();
            LoadRunner.Summary s = r.run(lines::add);
            killer.join();
            assertThat(s.passed()).isPositive();
            assertThat(s.failed()).isGreaterThanOrEqualTo(10);
            assertThat(s.stoppedEarly()).isTrue();
            assertThat(s.stopReason()).startsWith("the peer stopped answering: 10 calls in a row got nothing back");
            assertThat(s.notStarted()).isGreaterThan(900_000);
            assertThat(s.failures().keySet()).allMatch(k -> k.contains("got nothing"), "failures: " + s.failures());
        }
    }

    @Test
    void impossibleOptionsAreRefused() {
        assertThatThrownBy(() -> new LoadRunner.Options(0, 10, 1, null)).hasMessageContaining("--rate must be more than 0");
        assertThatThrownBy(() -> new LoadRunner.Options(10, 0, 1, null)).hasMessageContaining("give --calls N or --duration D");
    }
}
