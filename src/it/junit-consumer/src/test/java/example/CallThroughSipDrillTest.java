package example;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.junit.SipDrillExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Uses only what the installed sipdrill artifact offers a test project. */
class CallThroughSipDrillTest {
    @RegisterExtension
    static SipDrillExtension sip = SipDrillExtension.builder()
            .role("answer")
            .set("sipdrill.run.default-within=5s")
            .build();

    @Test
    void aCallIsAnsweredAndHungUp() {
        ScenarioResult r = sip.run("basic/call", Map.of("target", sip.uri("answer", "bob")));
        assertTrue(r.passed(), () -> String.valueOf(r.checks()));
        await().atMost(Duration.ofSeconds(5)).until(() -> sip.received("answer", "BYE"), is(1L));
        assertEquals(1L, sip.received("answer", "INVITE"));
    }
}
