package io.sipdrill.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.engine.ScenarioResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** @SipDrillTest: roles from the annotation, the running extension handed to test methods. */
@SipDrillTest(roles = {"redirect", "answer"}, settings = {"sipdrill.run.default-within=5s"})
class SipDrillTestAnnotationTest {
    @Test
    void theAnnotatedRolesRunAndTheExtensionIsAParameter(SipDrillExtension sip) {
        ScenarioResult r = sip.run("basic/options", Map.of("target", sip.uri("answer", "bob")));
        assertThat(r.passed()).as("%s", r.checks()).isTrue();
        assertThat(sip.received("answer", "OPTIONS")).isEqualTo(1);
        assertThat(sip.address("redirect")).startsWith("127.0.0.1:");
    }
}
