package io.sipdrill.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {
    private final TargetPolicy loopback = new TargetPolicy(List.of("127.0.0.0/8", "::1", "localhost"));

    @Test
    void loopbackIsAllowedByDefaultAndNothingElse() {
        assertThat(loopback.allows("127.0.0.1")).isTrue();
        assertThat(loopback.allows("127.45.0.9")).isTrue();
        assertThat(loopback.allows("[::1]")).isTrue();
        assertThat(loopback.allows("localhost")).isTrue();
        assertThat(loopback.allows("LOCALHOST")).isTrue();
        assertThat(loopback.allows("128.0.0.1")).isFalse();
        assertThat(loopback.allows("10.0.0.1")).isFalse();
        assertThat(loopback.allows("[2001:db8::1]")).isFalse();
    }

    @Test
    void namesAreComparedLiterallyNeverResolved() {
        // a name that might resolve to loopback is still not allowed unless listed by name
        assertThat(loopback.allows("localhost.attacker.example")).isFalse();
        assertThat(loopback.allows("127.0.0.1.nip.io")).isFalse();
        assertThat(new TargetPolicy(List.of("pbx.lab.example")).allows("pbx.lab.example")).isTrue();
    }

    @Test
    void aMalformedNetworkIsRejectedAtStartUp() {
        assertThatThrownBy(() -> new TargetPolicy(List.of("127.0.0.0/33")))
                .hasMessageContaining("not a network: 127.0.0.0/33");
    }
}
