package io.sipdrill.report;

import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** JUnit XML as CI servers read it: a testcase per scenario, a failure element per failed check. */
public final class JUnitXml {
    private JUnitXml() { }

    public static void write(Path file, String suite, List<ScenarioResult> results, VerdictTable verdicts) throws IOException {
        long failures = results.stream().filter(r -> !r.passed()).count();
        double total = results.stream().mapToLong(r -> r.elapsed().toMillis()).sum() / 1000.0;
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">%n",
                esc(suite), results.size(), failures, total));
        for (ScenarioResult r : results) {
            x.append(String.format(Locale.ROOT, "  <testcase classname=\"sipdrill.%s\" name=\"%s\" time=\"%.3f\">%n",
                    esc(r.name().replace('/', '.')), esc(r.name()), r.elapsed().toMillis() / 1000.0));
            for (Check c : r.checks()) {
                if (c.passed()) continue;
                x.append("    <failure message=\"").append(esc(c.step() + ": expected " + c.expected() + ", got " + c.actual()))
                        .append("\" type=\"").append(esc(c.step())).append("\">")
                        .append(esc(verdicts.failureText(c))).append("</failure>\n");
            }
            x.append("    <system-out>").append(esc(r.asserts() + "\nSource: " + r.source())).append("</system-out>\n");
            x.append("  </testcase>\n");
        }
        x.append("</testsuite>\n");
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Files.writeString(file, x.toString(), StandardCharsets.UTF_8);
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\r' -> b.append("&#13;");
                default -> {
                    if (ch < 0x20 && ch != '\n' && ch != '\t') b.append("&#").append((int) ch).append(';');
                    else b.append(ch);
                }
            }
        }
        return b.toString();
    }
}
