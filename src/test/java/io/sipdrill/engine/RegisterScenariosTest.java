package io.sipdrill.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.SipDrill;
import io.sipdrill.TestSettings;
import io.sipdrill.config.Settings;
import io.sipdrill.roles.RegistrarRole;
import io.sipdrill.sip.WireMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Registering, with and without digest challenges, against sipdrill's registrar role. */
class RegisterScenariosTest {
    static final String HOLD = "src/test/resources/test-scenarios/register-and-hold.conf";
    static SipDrill drill;
    static SipDrill.RunningRole md5;
    static SipDrill.RunningRole sha256;
    static SipDrill.RunningRole open;

    @BeforeAll
    static void start() {
        drill = new SipDrill(TestSettings.with("sipdrill.run.default-within=5s"));
        md5 = drill.startRole("registrar", drill.settings().withRegistrar(new Settings.Registrar(2, 3600, 3600,
                new Settings.Auth("test.realm", Map.of("alice", "secret"), "MD5"))), "127.0.0.1", 0, "udp");
        sha256 = drill.startRole("registrar", drill.settings().withRegistrar(new Settings.Registrar(2, 3600, 3600,
                new Settings.Auth("test.realm", Map.of("alice", "secret"), "SHA-256"))), "127.0.0.1", 0, "tcp");
        open = drill.startRole("registrar", drill.settings().withRegistrar(new Settings.Registrar(60, 3600, 3600,
                new Settings.Auth("", Map.of(), "MD5"))), "127.0.0.1", 0, "udp");
    }

    @AfterAll
    static void stop() {
        drill.close();
    }

    private ScenarioResult register(String scenario, SipDrill.RunningRole registrar, String transport, Map<String, String> more) {
        Map<String, String> vars = new HashMap<>(more);
        vars.put("target", "sip:" + registrar.address() + (transport.equals("tcp") ? ";transport=tcp" : ""));
        vars.put("aor", "sip:alice@" + registrar.address());
        return drill.play(List.of(drill.loader().load(scenario)), vars, "127.0.0.1", 0, transport, r -> { }).get(0);
    }

    private static List<String> checks(ScenarioResult r) {
        return r.checks().stream().map(c -> (c.passed() ? "ok " : "FAIL ") + c.step() + ": " + c.actual()).toList();
    }

    @Test
    void aChallengedRegistrationIsAuthenticatedRefreshedAndRemoved() {
        ScenarioResult r = register(HOLD, md5, "udp", Map.of("username", "alice", "password", "secret"));
        assertThat(r.passed()).as("%s", checks(r)).isTrue();
        List<String> done = checks(r);
        assertThat(done.get(0)).startsWith("ok register:").endsWith("200 OK, registered for 2 s");
        assertThat(done).anyMatch(c -> c.contains("registration refreshed") || c.contains("200 OK, for 2 s"));
        assertThat(done.get(done.size() - 1)).startsWith("ok unregister");
        // every REGISTER kept the Call-ID and raised the CSeq; the first was challenged, the second carried credentials
        List<WireMessage> sent = r.trace().stream().filter(w -> w.sent() && w.message().method().equals("REGISTER")).toList();
        assertThat(sent.size()).isGreaterThanOrEqualTo(4); // first, with credentials, a refresh, the removal
        assertThat(sent.stream().map(w -> w.message().header("Call-ID").orElseThrow()).distinct()).hasSize(1);
        assertThat(sent.stream().map(w -> w.message().cseqNumber()).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(sent.get(0).message().header("Authorization")).isEmpty();
        assertThat(sent.get(1).message().header("Authorization").orElseThrow()).contains("algorithm=MD5", "qop=auth", "username=\"alice\"");
        assertThat(sent.get(sent.size() - 1).message().header("Expires")).contains("0");
        assertThat(((RegistrarRole) md5.role()).contacts("sip:alice@" + md5.address())).isEmpty();
    }

    @Test
    void sha256OverTcp() {
        ScenarioResult r = register("register/basic", sha256, "tcp", Map.of("username", "alice", "password", "secret"));
        assertThat(r.passed()).as("%s", checks(r)).isTrue();
        assertThat(r.trace()).anyMatch(w -> w.sent() && w.message().header("Authorization").orElse("").contains("algorithm=SHA-256"));
    }

    @Test
    void aWrongPasswordIsNamedAsSuchAndNotRetriedForever() {
        ScenarioResult r = register("register/basic", md5, "udp", Map.of("username", "alice", "password", "wrong"));
        assertThat(r.passed()).isFalse();
        Check f = r.failure().orElseThrow();
        assertThat(f.actual()).isEqualTo("403 after authenticating: credentials rejected");
        assertThat(f.fix()).contains("username and password");
        assertThat(r.trace().stream().filter(w -> w.sent() && w.message().method().equals("REGISTER")).count()).isEqualTo(2);
    }

    @Test
    void withoutCredentialsTheChallengeIsTheVerdict() {
        ScenarioResult r = register("register/basic", md5, "udp", Map.of());
        assertThat(r.passed()).isFalse();
        assertThat(r.failure().orElseThrow().actual()).startsWith("401 Unauthorized");
    }

    @Test
    void tooBriefAnIntervalIsRaisedToMinExpires() {
        ScenarioResult r = register("register/basic", open, "udp", Map.of("expires", "10"));
        assertThat(r.passed()).as("%s", checks(r)).isTrue();
        assertThat(checks(r).get(0)).endsWith("registered for 60 s");
        assertThat(r.trace()).anyMatch(w -> !w.sent() && w.message().status() == 423
                && w.message().header("Min-Expires").orElse("").equals("60"));
    }

    @Test
    void underLoadEachCallMeetsThe423AndRegistersAtMinExpires() throws Exception {
        LoadRunner.Summary s = drill.load(drill.loader().load("register/basic"),
                Map.of("target", "sip:" + open.address(), "aor", "sip:alice@" + open.address(), "expires", "10"),
                "127.0.0.1", 0, "udp", new LoadRunner.Options(100, 100, 10, null)).run(l -> { });
        assertThat(s.failed()).as("%s", s.failures()).isZero();
        assertThat(s.passed()).isEqualTo(100);
        assertThat(((RegistrarRole) open.role()).contacts("sip:alice@" + open.address())).isEmpty(); // all unregistered
    }
}
