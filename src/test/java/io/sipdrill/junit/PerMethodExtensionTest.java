package io.sipdrill.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance field: a fresh role, and a fresh record, for each test method. */
class PerMethodExtensionTest {
    @RegisterExtension
    SipDrillExtension sip = SipDrillExtension.builder().role("answer").set("sipdrill.run.default-within=5s").build();

    @RepeatedTest(2)
    void eachMethodStartsWithNothingRecorded() {
        assertThat(sip.messages("answer")).isEmpty();
        assertThat(sip.run("basic/options", Map.of("target", sip.uri("answer", "bob"))).passed()).isTrue();
        assertThat(sip.received("answer", "OPTIONS")).isEqualTo(1);
    }
}
