package io.sipdrill.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.roles.RegistrarRole;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as a test class uses it: roles for the class, scenarios, recorded messages. */
class SipDrillExtensionTest {
    @RegisterExtension
    static SipDrillExtension sip = SipDrillExtension.builder()
            .role("answer", "sipdrill.roles.answer.ring=false")
            .role("registrar", "sipdrill.roles.registrar.min-expires=120")
            .set("sipdrill.run.default-within=5s")
            .build();

    @Test
    void aScenarioAgainstAStartedRoleAndWhatTheRoleSaw() {
        ScenarioResult r = sip.run("basic/call", Map.of("target", sip.uri("answer", "bob")));
        assertThat(r.passed()).as("%s", r.checks()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> sip.received("answer", "BYE"), is(1L));
        assertThat(sip.received("answer", "INVITE")).isEqualTo(1);
        assertThat(sip.sent("answer", "180")).isZero(); // its own setting: no ringing
        assertThat(sip.sent("answer", "200")).isEqualTo(2);
        assertThat(sip.messages("answer").get(0).message().requestUri()).isEqualTo(sip.uri("answer", "bob"));
    }

    @Test
    void eachRoleKeepsItsOwnSettingsAndObject() {
        ScenarioResult r = sip.run("register/basic", Map.of("target", "sip:" + sip.address("registrar"),
                "aor", "sip:alice@" + sip.address("registrar"), "expires", "60"));
        assertThat(r.passed()).as("%s", r.checks()).isTrue();
        assertThat(r.checks().get(0).actual()).isEqualTo("200 OK, registered for 120 s"); // after its 423
        assertThat(sip.role("registrar", RegistrarRole.class).contacts("sip:alice@" + sip.address("registrar"))).isEmpty();
        assertThatThrownBy(() -> sip.address("b2bua")).hasMessageContaining("no role b2bua was started; started: [answer, registrar]");
    }
}
