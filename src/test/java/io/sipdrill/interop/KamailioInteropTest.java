package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.WireMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * sipdrill against Kamailio (Debian) as registrar and authenticating proxy: registering with digest
 * credentials, 423 handling, wrong credentials, and a call through it to a sipdrill role.
 */
class KamailioInteropTest {
    static final String CALL = "src/test/resources/test-scenarios/register-then-call.conf";
    @TempDir
    static Path dir;
    static Kamailio md5;
    static Kamailio sha256;
    static SipDrill drill;
    static SipDrill.RunningRole callee;

    @BeforeAll
    static void start() throws Exception {
        Peers.require("kamailio", "kamailio");
        md5 = Kamailio.start(Files.createDirectories(dir.resolve("md5")),
                Kamailio.Options.defaults().withUser("alice", "s3cret"));
        sha256 = Kamailio.start(Files.createDirectories(dir.resolve("sha256")),
                Kamailio.Options.defaults().withUser("alice", "s3cret").withAlgorithm("SHA-256"));
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"));
        callee = drill.startRole("answer", "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        if (drill != null) drill.close();
        if (md5 != null) md5.close();
        if (sha256 != null) sha256.close();
    }

    private ScenarioResult play(String scenario, Kamailio k, String transport, Map<String, String> more) {
        Map<String, String> vars = new HashMap<>(more);
        String registrar = k.host() + ":" + k.port();
        vars.put("target", "sip:" + registrar + (transport.equals("tcp") ? ";transport=tcp" : ""));
        vars.put("aor", "sip:alice@" + registrar);
        return drill.play(List.of(drill.loader().load(scenario)), vars, "127.0.0.1", 0, transport, r -> { }).get(0);
    }

    private static String why(ScenarioResult r, Kamailio k) throws Exception {
        return r.checks() + "\nkamailio log:\n" + Files.readString(k.log());
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void registersWithDigestCredentials(String transport) throws Exception {
        for (Kamailio k : List.of(md5, sha256)) {
            ScenarioResult r = play("register/basic", k, transport, Map.of("username", "alice", "password", "s3cret"));
            assertThat(r.passed()).as("%s", why(r, k)).isTrue();
            assertThat(r.trace()).anyMatch(w -> !w.sent() && w.message().status() == 401);
            assertThat(r.checks().get(0).actual()).isEqualTo("200 OK, registered for 3600 s");
            assertThat(r.checks().get(r.checks().size() - 1).step()).isEqualTo("unregister");
        }
        assertThat(play("register/basic", sha256, transport, Map.of("username", "alice", "password", "s3cret")).trace())
                .anyMatch(w -> w.sent() && w.message().header("Authorization").orElse("").contains("algorithm=SHA-256"));
    }

    @Test
    void wrongCredentialsAreNamedNotLoopedOn() throws Exception {
        ScenarioResult r = play("register/basic", md5, "udp", Map.of("username", "alice", "password", "wrong"));
        assertThat(r.passed()).isFalse();
        assertThat(r.failure().orElseThrow().actual()).as("%s", why(r, md5)).endsWith("after authenticating: credentials rejected");
        assertThat(r.trace().stream().filter(w -> w.sent() && w.message().method().equals("REGISTER")).count()).isEqualTo(2);
    }

    @Test
    void aTooBriefExpiryIsRaisedToKamailiosMinExpires() throws Exception {
        ScenarioResult r = play("register/basic", md5, "udp", Map.of("username", "alice", "password", "s3cret", "expires", "10"));
        assertThat(r.passed()).as("%s", why(r, md5)).isTrue();
        assertThat(r.trace()).anyMatch(w -> !w.sent() && w.message().status() == 423);
        assertThat(r.checks().get(0).actual()).isEqualTo("200 OK, registered for 60 s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void aCallThroughKamailioReachesTheRegisteredRole(String transport) throws Exception {
        ScenarioResult r = play(CALL, md5, transport, Map.of("username", "alice", "password", "s3cret",
                "contact", "sip:alice@" + callee.address()));
        assertThat(r.passed()).as("%s", why(r, md5)).isTrue();
        List<WireMessage> in = r.trace().stream().filter(w -> !w.sent()).toList();
        assertThat(in).anyMatch(w -> w.message().status() == 407 && w.message().cseqMethod().equals("INVITE"));
        WireMessage ok = in.stream().filter(w -> w.message().status() == 200 && w.message().cseqMethod().equals("INVITE"))
                .findFirst().orElseThrow();
        assertThat(ok.message().header("Record-Route")).isPresent(); // the BYE went back through Kamailio
        assertThat(r.trace()).anyMatch(w -> w.sent() && w.message().method().equals("BYE")
                && w.message().header("Route").orElse("").contains(String.valueOf(md5.port())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void anOutboundProxyCarriesTheCallAndTheDialogFollowsItsRecordRoute(String transport) throws Exception {
        String proxy = "sip:" + md5.host() + ":" + md5.port();
        try (SipDrill viaProxy = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s",
                "sipdrill.sip.outbound-proxy=\"" + proxy + "\""))) {
            ScenarioResult r = viaProxy.play(List.of(viaProxy.loader().load("basic/call")),
                    Map.of("target", "sip:bob@" + callee.address(), "username", "alice", "password", "s3cret"),
                    "127.0.0.1", 0, transport, x -> { }).get(0);
            assertThat(r.passed()).as("%s", why(r, md5)).isTrue();
            List<WireMessage> invites = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("INVITE")).toList();
            // addressed to the callee, sent to the proxy with a loose Route to it; Kamailio's 407 answered
            assertThat(invites).hasSize(2);
            assertThat(invites.get(0).message().requestUri()).startsWith("sip:bob@" + callee.address());
            assertThat(invites.get(0).message().header("Route").orElseThrow()).contains(md5.port() + "", ";lr");
            assertThat(invites.get(0).to()).endsWith(":" + md5.port());
            assertThat(invites.get(1).message().header("Proxy-Authorization")).isPresent();
            // Kamailio record-routed the call, so the BYE goes back through it too
            WireMessage bye = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("BYE")).findFirst().orElseThrow();
            assertThat(bye.to()).endsWith(":" + md5.port());
            assertThat(bye.message().header("Route").orElse("")).contains("ftag=");
            assertThat(md5.logText()).contains("sent INVITE to " + transport + ":" + callee.address());
        }
    }

    @Test
    void aMalformedOutboundProxyIsABadSettingNotACallFailure() {
        try (SipDrill bad = new SipDrill(TestSettings.with("sipdrill.sip.outbound-proxy=\"mailto:proxy@example.net\""))) {
            assertThatThrownBy(() -> bad.play(List.of(bad.loader().load("basic/call")), Map.of("target", "sip:bob@" + callee.address()),
                    "127.0.0.1", 0, "udp", x -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sipdrill.sip.outbound-proxy = \"mailto:proxy@example.net\" is not a SIP URI");
        }
    }
}
