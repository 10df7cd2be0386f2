package io.sipdrill.report;

import io.sipdrill.catalogue.Bidi;
import io.sipdrill.catalogue.Catalogue;
import io.sipdrill.catalogue.Explainer;
import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The verdict as people read it, in their language: one line per scenario; under a failure what
 * was expected, what arrived, what it means and what to do, and what the response code means.
 */
public final class VerdictTable {
    private final Explainer explainer;
    private final Catalogue c;

    public VerdictTable(Explainer explainer) {
        this.explainer = explainer;
        this.c = explainer.catalogue();
    }

    public static VerdictTable english() {
        return new VerdictTable(new Explainer(Catalogue.of("en")));
    }

    public void printLine(PrintStream out, ScenarioResult r) {
        out.printf(Locale.ROOT, "%-4s  %-32s %6.2f s  %s%n", r.passed() ? "PASS" : "FAIL", r.name(),
                r.elapsed().toMillis() / 1000.0, r.target());
        r.failure().ifPresent(f -> out.print(indent(failureText(f))));
    }

    /** The failure: where, expected, got, meaning, fix, and the catalogue's word on the code. */
    public String failureText(Check f) {
        StringBuilder b = new StringBuilder();
        b.append(f.step()).append("  (").append(f.where()).append(")\n");
        line(b, "verdict-expected", f.expected());
        line(b, "verdict-got", f.actual());
        if (f.meaning() != null && !f.meaning().isBlank()) line(b, "verdict-meaning", f.meaning());
        if (f.fix() != null && !f.fix().isBlank()) line(b, "verdict-fix", f.fix());
        if (f.aboutCode()) {
            String code = explainer.forVerdict(f.code());
            if (code != null) line(b, "verdict-code", code);
        }
        return b.toString();
    }

    /** A verdict label ("verdict-expected", "verdict-got", ...) in the table's language. */
    public String label(String key) {
        return c.label(key);
    }

    /** Whether the table's language is written right to left. */
    public boolean rightToLeft() {
        return c.rightToLeft();
    }

    /** The catalogue's word on a failure's response code, or null. */
    public String codeText(Check f) {
        return f.aboutCode() ? explainer.forVerdict(f.code()) : null;
    }

    private void line(StringBuilder b, String label, String text) {
        String head = c.label(label) + ":";
        b.append(Bidi.forTerminal(head + " ".repeat(Math.max(1, 10 - columns(head))) + text, c.rightToLeft())).append('\n');
    }

    /** Terminal columns: Chinese characters and full-width punctuation take two. */
    static int columns(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean wide = Character.UnicodeScript.of(ch) == Character.UnicodeScript.HAN
                    || (ch >= '\u3000' && ch <= '\u303F') || (ch >= '\uFF00' && ch <= '\uFF60');
            n += wide ? 2 : 1;
        }
        return n;
    }

    public String summary(List<ScenarioResult> results) {
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
