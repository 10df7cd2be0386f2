package io.sipdrill.report;

import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.WireMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes a run's report directory: report.html (verdicts, ladders, messages; one file, opens in any
 * browser), verdicts.txt (what the console showed), junit.xml, and for each scenario a trace
 * (every message in and out, in order, with its full text) and a .pcap of the same messages.
 */
public final class ReportWriter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private ReportWriter() { }

    public static void write(Path dir, List<ScenarioResult> results, VerdictTable verdicts) throws IOException {
        Files.createDirectories(dir.resolve("traces"));
        StringBuilder text = new StringBuilder();
        for (ScenarioResult r : results) {
            text.append(r.passed() ? "PASS  " : "FAIL  ").append(r.name()).append('\n');
            r.failure().ifPresent(f -> text.append(verdicts.failureText(f).indent(6)));
            String base = r.name().replace('/', '_');
            Files.writeString(dir.resolve("traces").resolve(base + ".txt"), trace(r), StandardCharsets.UTF_8);
            Pcap.write(dir.resolve("traces").resolve(base + ".pcap"), r.trace());
        }
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(results, verdicts), StandardCharsets.UTF_8);
        text.append(verdicts.summary(results)).append('\n');
        Files.writeString(dir.resolve("verdicts.txt"), text.toString(), StandardCharsets.UTF_8);
        JUnitXml.write(dir.resolve("junit.xml"), "sipdrill", results, verdicts);
    }

    static String trace(ScenarioResult r) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(r.name()).append(": ").append(r.passed() ? "PASS" : "FAIL").append('\n');
        b.append("# asserts: ").append(r.asserts()).append('\n');
        b.append("# source:  ").append(r.source()).append("\n\n");
        for (Check c : r.checks()) {
            b.append(c.passed() ? "  ok   " : "  FAIL ").append(c.step()).append(" (").append(c.where()).append("): ")
                    .append(c.actual()).append('\n');
        }
        b.append("\n# messages\n");
        for (WireMessage m : r.trace()) {
            b.append("\n").append(TIME.format(Instant.ofEpochMilli(m.epochMillis()))).append("  ")
                    .append(m.sent() ? "sent " + m.from() + " -> " + m.to() : "recv " + m.to() + " <- " + m.from())
                    .append("  ").append(m.message().label()).append('\n')
                    .append(m.message().text().replace("\r\n", "\n"));
        }
        return b.toString();
    }
}
