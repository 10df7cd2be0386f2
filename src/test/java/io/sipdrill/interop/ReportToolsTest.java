package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.report.HtmlReportTest;
import io.sipdrill.sip.WireMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report as the tools people use see it: Debian's Chromium (headless) and tshark. */
class ReportToolsTest {

    private static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false)
                .redirectError(dir.resolve("stderr-" + System.nanoTime() + ".txt").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        assertThat(p.exitValue()).as("%s exit status", command).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static List<String> chromium(Path dir, String... args) {
        List<String> c = new ArrayList<>(List.of(Peers.require("chromium", "chromium"), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile")));
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void chromiumRendersTheLadderAndAnArrowOpensItsMessage(@TempDir Path dir) throws Exception {
        chromium(dir); // skips here (fails in CI) before anything runs when Chromium is missing
        List<ScenarioResult> results = HtmlReportTest.runAndReport(dir.resolve("report"));
        String page = dir.resolve("report/report.html").toUri().toString();
        Matcher culprit = Pattern.compile("<a class=\"arrow culprit\" href=\"#(s1-m\\d+)\"")
                .matcher(Files.readString(dir.resolve("report/report.html")));
        assertThat(culprit.find()).isTrue();

        // the DOM after the page's script ran, opened at the failing message as a click on its arrow would
        String dom = run(dir, chromium(dir, "--dump-dom", page + "#" + culprit.group(1)));
        int messages = results.get(0).trace().size() + results.get(1).trace().size();
        assertThat(HtmlReportTest.count(dom, "<a class=\"arrow")).isEqualTo(messages);
        assertThat(HtmlReportTest.count(dom, "<svg class=\"ladder\"")).isEqualTo(2);
        assertThat(dom).contains("<details id=\"" + culprit.group(1) + "\" class=\"culprit\" open=\"\">");
        assertThat(HtmlReportTest.count(dom, " open=\"\"")).isEqualTo(1);
        // arrows in wire order, labelled as the messages were
        List<String> labels = new ArrayList<>();
        Matcher label = Pattern.compile("<text class=\"label\"[^>]*>([^<]*)</text>").matcher(dom);
        while (label.find()) labels.add(label.group(1));
        List<String> expected = new ArrayList<>();
        for (ScenarioResult r : results) for (WireMessage m : r.trace()) expected.add(m.message().label());
        assertThat(labels).containsExactlyElementsOf(expected);

        Path png = dir.resolve("report.png");
        run(dir, chromium(dir, "--window-size=1200,1600", "--screenshot=" + png, page));
        assertThat(Files.size(png)).isGreaterThan(10_000); // a drawn page, not an empty one
    }

    @Test
    void tsharkDissectsThePcapAsTheSameSipMessages(@TempDir Path dir) throws Exception {
        String tshark = Peers.require("tshark", "tshark");
        List<ScenarioResult> results = HtmlReportTest.runAndReport(dir.resolve("report"));
        String fields = run(dir, List.of(tshark, "-r", dir.resolve("report/traces/basic_call.pcap").toString(),
                "-T", "fields", "-E", "separator=,", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.Call-ID"));
        List<String> seen = fields.lines().filter(l -> !l.isBlank()).toList();
        List<WireMessage> trace = results.get(1).trace(); // the second run of basic/call wrote the file last
        assertThat(seen).hasSize(trace.size());
        for (int i = 0; i < trace.size(); i++) {
            var m = trace.get(i).message();
            String expected = (m.isRequest() ? m.method() + "," : "," + m.status()) + "," + m.header("Call-ID").orElseThrow();
            assertThat(seen.get(i)).isEqualTo(expected);
        }
    }
}
