package io.sipdrill.report;

import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The console verdict: one line per scenario, the failure explained under it, then a summary. */
public final class VerdictTable {
    private VerdictTable() { }

    public static void printLine(PrintStream out, ScenarioResult r) {
        out.printf(Locale.ROOT, "%-4s  %-32s %6.2f s  %s%n", r.passed() ? "PASS" : "FAIL", r.name(),
                r.elapsed().toMillis() / 1000.0, r.target());
        r.failure().ifPresent(f -> out.print(indent(failureText(r, f))));
    }

    /** The failure as the user reads it: where, expected, got, meaning, fix. */
    public static String failureText(ScenarioResult r, Check f) {
        return f.step() + "  (" + f.where() + ")\n" + f.explain();
    }

    public static String summary(List<ScenarioResult> results) {
        long passed = results.stream().filter(ScenarioResult::passed).count();
        long failed = results.size() - passed;
        return results.size() + " scenario" + (results.size() == 1 ? "" : "s") + ": " + passed + " passed, "
                + failed + " failed";
    }

    private static String indent(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) b.append("      ").append(line).append('\n');
        return b.toString();
    }
}
