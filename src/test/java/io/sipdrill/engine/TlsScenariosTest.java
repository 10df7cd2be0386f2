package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.stir.TestPki;
import io.sipdrill.sip.WireMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calls over TLS between sipdrill's own roles, and the verdicts for peers whose certificate will not do. */
class TlsScenariosTest {
    @TempDir
    static Path pki;
    static SipDrill servers;
    static SipDrill.RunningRole good;
    static SipDrill.RunningRole expired;
    static SipDrill.RunningRole misnamed;

    @BeforeAll
    static void start() throws Exception {
        TestPki.create(pki.resolve("ours"), "1234", false);
        TestPki.create(pki.resolve("theirs"), "9999", false);
        Instant now = Instant.now();
        TestPki.issueTls(pki.resolve("ours"), pki.resolve("old-cert.pem"), pki.resolve("old-key.pem"),
                List.of("localhost", "127.0.0.1"), now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        TestPki.issueTls(pki.resolve("ours"), pki.resolve("other-cert.pem"), pki.resolve("other-key.pem"),
                List.of("sbc.example.net"), now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)));
        servers = new SipDrill(TestSettings.with());
        good = servers.startRole("answer", serving("ours/tls-cert.pem", "ours/tls-key.pem"), "127.0.0.1", 0, "tls");
        expired = servers.startRole("answer", serving("old-cert.pem", "old-key.pem"), "127.0.0.1", 0, "tls");
        misnamed = servers.startRole("answer", serving("other-cert.pem", "other-key.pem"), "127.0.0.1", 0, "tls");
    }

    private static io.sipdrill.config.Settings serving(String cert, String key) {
        return TestSettings.with("sipdrill.sip.tls.certificate=\"" + pki.resolve(cert) + "\"",
                "sipdrill.sip.tls.private-key=\"" + pki.resolve(key) + "\"");
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    private static ScenarioResult call(String target, String... sets) {
        try (SipDrill caller = new SipDrill(TestSettings.with(sets))) {
            return caller.play(List.of(caller.loader().load("basic/call")), Map.of("target", target),
                    "127.0.0.1", 0, "tls", r -> { }).get(0);
        }
    }

    private static String trusting(String root) {
        return "sipdrill.sip.tls.trust-anchors=[\"" + pki.resolve(root + "/ca-cert.pem") + "\"]";
    }

    private static String failure(ScenarioResult r) {
        return r.checks().stream().filter(c -> !c.passed()).findFirst()
                .map(c -> c.actual() + " | " + c.meaning() + " | " + c.fix()).orElse("");
    }

    @Test
    void aCallOverTlsToAnAddressAndToASipsName() {
        ScenarioResult r = call("sip:bob@" + good.address(), trusting("ours"));
        assertThat(r.passed()).as(failure(r)).isTrue();
        List<WireMessage> invites = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE")).toList();
        assertThat(invites.get(0).message().header("Via").orElseThrow()).startsWith("SIP/2.0/TLS");
        assertThat(invites.get(0).message().requestUri()).endsWith(";transport=tls");
        assertThat(invites.get(0).message().header("Contact").orElseThrow()).contains(";transport=tls");

        ScenarioResult named = call("sips:bob@localhost:" + good.agent().port(), trusting("ours"));
        assertThat(named.passed()).as(failure(named)).isTrue();
        WireMessage invite = named.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE")).findFirst().orElseThrow();
        assertThat(invite.message().header("Contact").orElseThrow()).startsWith("<sips:");
    }

    @Test
    void aPeerWhoseCertificateIsNotFromATrustedRootIsRefusedBeforeAnythingIsSent() {
        ScenarioResult r = call("sip:bob@" + good.address(), trusting("theirs"));
        assertThat(r.passed()).isFalse();
        assertThat(failure(r)).contains("not trusted");
        assertThat(r.trace()).noneMatch(WireMessage::sent);
    }

    @Test
    void expiredAndMisnamedCertificatesAreNamedAsSuch() {
        ScenarioResult old = call("sip:bob@" + expired.address(), trusting("ours"));
        assertThat(old.passed()).isFalse();
        assertThat(failure(old)).contains("expired");

        ScenarioResult other = call("sip:bob@" + misnamed.address(), trusting("ours"));
        assertThat(other.passed()).isFalse();
        assertThat(failure(other)).contains("127.0.0.1", "sbc.example.net");
    }

    @Test
    void insecureModeCallsAnyPeer() {
        ScenarioResult r = call("sip:bob@" + misnamed.address(), trusting("theirs"), "sipdrill.sip.tls.insecure=true");
        assertThat(r.passed()).as(failure(r)).isTrue();
    }

    /** A raw TLS server with our certificate, limited to the given protocols, that hangs up after reading a request. */
    private static String hangUpServer(java.util.function.IntFunction<ScenarioResult> callTo, String[] protocols,
                                       java.util.function.Consumer<ScenarioResult> verdict) throws Exception {
        io.sipdrill.sip.PemTlsProvider keys = new io.sipdrill.sip.PemTlsProvider();
        java.util.Properties p = new java.util.Properties();
        p.setProperty(io.sipdrill.sip.PemTlsProvider.CERTIFICATE, pki.resolve("ours/tls-cert.pem").toString());
        p.setProperty(io.sipdrill.sip.PemTlsProvider.PRIVATE_KEY, pki.resolve("ours/tls-key.pem").toString());
        keys.init(p);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(false), keys.getTrustManagers(false), null);
        try (javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            server.setEnabledProtocols(protocols);
            java.util.concurrent.CompletableFuture<String> seen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) server.accept()) {
                    s.startHandshake();
                    String sni = ((javax.net.ssl.ExtendedSSLSession) s.getSession()).getRequestedServerNames().toString();
                    java.io.InputStream in = s.getInputStream();
                    StringBuilder sb = new StringBuilder();
                    while (!sb.toString().contains("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) break;
                        sb.append((char) c);
                    }
                    return s.getSession().getProtocol() + " " + sni + " " + sb.substring(0, Math.min(sb.length(), 6));
                } catch (Exception e) {
                    return e.toString();
                }
            });
            verdict.accept(callTo.apply(server.getLocalPort()));
            return seen.get();
        }
    }

    @Test
    void aTlsPeerThatHangsUpOnTheInviteIsReportedAtOnceAndWasAskedForItsName() throws Exception {
        String seen = hangUpServer(port -> call("sips:bob@localhost:" + port, trusting("ours")), new String[] {"TLSv1.3", "TLSv1.2"}, r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.failure().orElseThrow().step()).isEqualTo("expect 200 to INVITE");
            assertThat(r.failure().orElseThrow().actual()).contains("TLS connection to 127.0.0.1:").contains("before the peer answered");
        });
        assertThat(seen).startsWith("TLSv1.3 [type=host_name (0), value=localhost]").endsWith("INVITE");
    }

    @Test
    void aTls12OnlyPeerIsCalledOverTls12() throws Exception {
        String seen = hangUpServer(port -> call("sip:bob@127.0.0.1:" + port, trusting("ours")), new String[] {"TLSv1.2"},
                r -> assertThat(r.passed()).isFalse());
        assertThat(seen).startsWith("TLSv1.2 ").endsWith("INVITE"); // no SNI for an address
    }

    @Test
    void aPortThatTakesTheConnectionButNeverAnswersTheHandshakeFailsWithinTheTimeout() throws Exception {
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<java.net.Socket> held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return mute.accept(); // and say nothing
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            ScenarioResult r = call("sip:bob@127.0.0.1:" + mute.getLocalPort(), trusting("ours"), "sipdrill.sip.tls.timeout=1s");
            assertThat(r.passed()).isFalse();
            var failed = r.failure().orElseThrow();
            assertThat(failed.step()).isEqualTo("send INVITE");
            assertThat(failed.meaning()).contains("did not finish the handshake within sipdrill.sip.tls.timeout");
            assertThat(r.trace()).noneMatch(WireMessage::sent);
            held.get().close();
        }
    }
}
