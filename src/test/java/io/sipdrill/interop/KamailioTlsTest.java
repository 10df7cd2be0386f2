package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.WireMessage;
import io.sipdrill.stir.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sipdrill over TLS with Kamailio (Debian, kamailio-tls-modules) as registrar and authenticating
 * proxy: register and call through it to a sipdrill role that itself listens on TLS, and refuse
 * Kamailio when its certificate is not from a trusted root.
 */
class KamailioTlsTest {
    static final String CALL = "src/test/resources/test-scenarios/register-then-call.conf";
    @TempDir
    static Path dir;
    static Kamailio kamailio;
    static SipDrill callees;
    static SipDrill.RunningRole callee;

    @BeforeAll
    static void start() throws Exception {
        Peers.require("kamailio", "kamailio");
        TestPki.create(dir.resolve("pki"), "1234", false);
        TestPki.create(dir.resolve("other"), "9999", false);
        kamailio = Kamailio.start(Files.createDirectories(dir.resolve("kamailio")), Kamailio.Options.defaults()
                .withUser("alice", "s3cret").withTls(dir.resolve("pki/tls-cert.pem"), dir.resolve("pki/tls-key.pem")));
        callees = new SipDrill(TestSettings.with(
                "sipdrill.sip.tls.certificate=\"" + dir.resolve("pki/tls-cert.pem") + "\"",
                "sipdrill.sip.tls.private-key=\"" + dir.resolve("pki/tls-key.pem") + "\""));
        callee = callees.startRole("answer", "127.0.0.1", 0, "tls");
    }

    @AfterAll
    static void stop() {
        if (callees != null) callees.close();
        if (kamailio != null) kamailio.close();
    }

    private static ScenarioResult play(String scenario, String root, Map<String, String> vars) {
        try (SipDrill caller = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s",
                "sipdrill.sip.tls.trust-anchors=[\"" + dir.resolve(root + "/ca-cert.pem") + "\"]"))) {
            return caller.play(List.of(caller.loader().load(scenario)), vars, "127.0.0.1", 0, "tls", r -> { }).get(0);
        }
    }

    private static Map<String, String> vars(String... more) {
        String at = "127.0.0.1:" + kamailio.tlsPort();
        java.util.Map<String, String> v = new java.util.HashMap<>(Map.of("target", "sip:" + at, "aor", "sip:alice@" + at,
                "username", "alice", "password", "s3cret"));
        for (int i = 0; i < more.length; i += 2) v.put(more[i], more[i + 1]);
        return v;
    }

    private static String why(ScenarioResult r) throws Exception {
        return r.checks() + "\nkamailio log:\n" + kamailio.logText();
    }

    @Test
    void registersAndCallsThroughKamailioOverTls() throws Exception {
        ScenarioResult reg = play("register/basic", "pki", vars());
        assertThat(reg.passed()).as("%s", why(reg)).isTrue();
        assertThat(reg.trace()).anyMatch(w -> !w.sent() && w.message().status() == 401);
        assertThat(reg.trace()).allMatch(w -> w.message().header("Via").orElse("").contains("/TLS "));

        ScenarioResult call = play(CALL, "pki", vars("contact", "sip:alice@" + callee.address() + ";transport=tls"));
        assertThat(call.passed()).as("%s", why(call)).isTrue();
        List<WireMessage> in = call.trace().stream().filter(w -> !w.sent()).toList();
        assertThat(in).anyMatch(w -> w.message().status() == 407 && w.message().cseqMethod().equals("INVITE"));
        WireMessage ok = in.stream().filter(w -> w.message().status() == 200 && w.message().cseqMethod().equals("INVITE"))
                .findFirst().orElseThrow();
        // Kamailio reached the callee over TLS too, and the callee answered with its TLS Contact
        assertThat(kamailio.logText()).containsIgnoringCase("sent INVITE to tls:" + callee.address());
        assertThat(ok.message().header("Contact").orElseThrow()).contains(callee.address() + ";transport=tls");
        assertThat(call.trace()).anyMatch(w -> w.sent() && w.message().method().equals("BYE")
                && w.message().header("Route").orElse("").contains(String.valueOf(kamailio.tlsPort())));
    }

    @Test
    void kamailioWithACertificateFromAnUntrustedRootIsRefusedAndSaidSo() throws Exception {
        ScenarioResult r = play("register/basic", "other", vars());
        assertThat(r.passed()).isFalse();
        assertThat(r.failure().orElseThrow().actual()).as("%s", why(r)).contains("certificate not trusted");
        assertThat(r.failure().orElseThrow().fix()).contains("sipdrill.sip.tls.trust-anchors");
        assertThat(r.trace()).noneMatch(WireMessage::sent);
    }
}
