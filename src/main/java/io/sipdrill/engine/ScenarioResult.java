package io.sipdrill.engine;

import io.sipdrill.sip.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A scenario's verdict: it passed only if every step held. */
public record ScenarioResult(String name, String file, String asserts, String source, String target,
                             List<Check> checks, Duration elapsed, List<WireMessage> trace,
                             java.util.Map<String, List<Long>> responseMicros) {
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public Optional<Check> failure() {
        return checks.stream().filter(c -> !c.passed()).findFirst();
    }
}
