package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.sip.WireMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a trunk's proxy does to a caller: challenge with 407, or drop the connection mid-request. */
class ProxyFacingTest {
    static SipDrill proxyLike;
    static SipDrill.RunningRole challenging;

    @BeforeAll
    static void start() {
        proxyLike = new SipDrill(TestSettings.with("sipdrill.roles.answer.auth.realm=\"trunk.test\"",
                "sipdrill.roles.answer.auth.users.alice=\"s3cret\"", "sipdrill.roles.answer.auth.algorithm=SHA-256",
                "sipdrill.roles.answer.auth.challenge=407"));
        challenging = proxyLike.startRole("answer", "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        proxyLike.close();
    }

    private static ScenarioResult call(String target, String transport, Map<String, String> vars, String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of(sets));
        all.add("sipdrill.run.default-within=10s");
        try (SipDrill caller = new SipDrill(TestSettings.with(all.toArray(String[]::new)))) {
            Map<String, String> withTarget = new java.util.HashMap<>(vars);
            withTarget.put("target", target);
            return caller.play(List.of(caller.loader().load("basic/call")), withTarget, "127.0.0.1", 0, transport, r -> { }).get(0);
        }
    }

    @Test
    void a407IsAnsweredWithProxyAuthorization() {
        ScenarioResult r = call("sip:bob@" + challenging.address(), "udp", Map.of("username", "alice", "password", "s3cret"));
        assertThat(r.passed()).as("%s", r.checks()).isTrue();
        assertThat(r.trace()).anyMatch(w -> !w.sent() && w.message().status() == 407
                && w.message().header("Proxy-Authenticate").orElse("").contains("algorithm=SHA-256"));
        List<WireMessage> invites = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE")).toList();
        assertThat(invites).hasSize(2);
        assertThat(invites.get(1).message().header("Proxy-Authorization").orElseThrow()).contains("username=\"alice\"", "realm=\"trunk.test\"");
        assertThat(invites.get(1).message().header("Authorization")).isEmpty();
    }

    @Test
    void credentialsFromConfigurationAreSentOnlyToTheirRealm() {
        String user = "sipdrill.run.credentials.username=alice";
        String password = "sipdrill.run.credentials.password=s3cret";
        ScenarioResult configured = call("sip:bob@" + challenging.address(), "udp", Map.of(), user, password);
        assertThat(configured.passed()).as("%s", configured.checks()).isTrue();
        ScenarioResult right = call("sip:bob@" + challenging.address(), "udp", Map.of(), user, password,
                "sipdrill.run.credentials.realm=trunk.test");
        assertThat(right.passed()).as("%s", right.checks()).isTrue();

        ScenarioResult wrong = call("sip:bob@" + challenging.address(), "udp", Map.of(), user, password,
                "sipdrill.run.credentials.realm=elsewhere.test");
        assertThat(wrong.passed()).isFalse();
        assertThat(wrong.failure().orElseThrow().actual())
                .endsWith("challenge for realm \"trunk.test\", credentials are for \"elsewhere.test\"");
        assertThat(wrong.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE"))).hasSize(1);
        // --var wins over the configuration
        ScenarioResult overridden = call("sip:bob@" + challenging.address(), "udp", Map.of("realm", "trunk.test"), user, password,
                "sipdrill.run.credentials.realm=elsewhere.test");
        assertThat(overridden.passed()).as("%s", overridden.checks()).isTrue();
    }

    @Test
    void underLoadEveryCallAnswersItsOwnChallenge() throws Exception {
        try (SipDrill caller = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"))) {
            LoadRunner.Summary ok = caller.load(caller.loader().load("basic/call"),
                    Map.of("target", "sip:bob@" + challenging.address(), "username", "alice", "password", "s3cret"),
                    "127.0.0.1", 0, "udp", new LoadRunner.Options(200, 200, 20, null)).run(l -> { });
            assertThat(ok.failed()).as("%s", ok.failures()).isZero();
            assertThat(ok.passed()).isEqualTo(200);

            LoadRunner.Summary wrong = caller.load(caller.loader().load("basic/call"),
                    Map.of("target", "sip:bob@" + challenging.address(), "username", "alice", "password", "nope"),
                    "127.0.0.1", 0, "udp", new LoadRunner.Options(200, 50, 20, null)).run(l -> { });
            assertThat(wrong.failed()).isEqualTo(50);
            assertThat(wrong.failures()).hasSize(1);
            assertThat(wrong.failures().keySet().iterator().next()).contains("403 after authenticating: credentials rejected");
        }
    }

    @Test
    void aWrongPasswordGetsTheRolesForbiddenNamedAsRejectedCredentials() {
        ScenarioResult r = call("sip:bob@" + challenging.address(), "udp", Map.of("username", "alice", "password", "nope"));
        assertThat(r.passed()).isFalse();
        assertThat(r.failure().orElseThrow().actual()).startsWith("403 after authenticating: credentials rejected");
        assertThat(r.failure().orElseThrow().fix()).contains("--var username=");
    }

    @Test
    void aProxyThatDropsTheConnectionGivesAVerdictNotAHang() throws Exception {
        try (ServerSocket proxy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = proxy.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder sb = new StringBuilder();
                    while (!sb.toString().contains("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) break;
                        sb.append((char) c);
                    }
                    return sb.toString(); // and close, without a word
                } catch (Exception e) {
                    return e.toString();
                }
            });
            ScenarioResult r = call("sip:bob@127.0.0.1:" + proxy.getLocalPort(), "tcp", Map.of());
            assertThat(received.get()).startsWith("INVITE sip:bob@127.0.0.1:" + proxy.getLocalPort());
            assertThat(r.passed()).isFalse();
            var failed = r.failure().orElseThrow();
            assertThat(failed.step()).isEqualTo("expect 200 to INVITE");
            // told by the closed connection itself, not by the 10 s wait running out
            assertThat(failed.actual()).isEqualTo("transport error sending INVITE: the peer closed the TCP connection to 127.0.0.1:"
                    + proxy.getLocalPort() + " before it answered");
            assertThat(failed.meaning()).contains("connection that carried INVITE failed");
        }
    }
}
