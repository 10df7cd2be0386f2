package io.sipdrill.report;

import io.sipdrill.engine.Check;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One self-contained HTML page for a run (no external scripts, styles or fonts): the verdict
 * table, then for each scenario its checks and a ladder diagram (inline SVG) of every message in
 * wire order. Each arrow opens the full message below the ladder; the arrow of the message that
 * failed a check is drawn in red beside the explanation; an INVITE carrying a PASSporT shows its
 * claims, and the answer to it the response that decided.
 */
public final class HtmlReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final int LANE = 260;
    private static final int ROW = 34;
    private static final int TOP = 50;
    private static final int LEFT = 110;

    private HtmlReport() { }

    public static String render(List<ScenarioResult> results, VerdictTable verdicts) {
        StringBuilder b = new StringBuilder(16384);
        long passed = results.stream().filter(ScenarioResult::passed).count();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>sipdrill report: ")
                .append(passed).append('/').append(results.size()).append(" passed</title>\n<style>").append(CSS).append("</style>\n")
                .append("</head><body>\n<h1>sipdrill report</h1>\n<p class=\"summary\">").append(esc(verdicts.summary(results)))
                .append("</p>\n<table class=\"verdicts\"><thead><tr><th>verdict</th><th>scenario</th><th>time</th><th>target</th>")
                .append("<th>failed step</th></tr></thead><tbody>\n");
        for (int i = 0; i < results.size(); i++) {
            ScenarioResult r = results.get(i);
            b.append("<tr class=\"").append(r.passed() ? "pass" : "fail").append("\"><td>").append(r.passed() ? "PASS" : "FAIL")
                    .append("</td><td><a href=\"#s").append(i).append("\">").append(esc(r.name())).append("</a></td><td>")
                    .append(String.format(Locale.ROOT, "%.2f s", r.elapsed().toMillis() / 1000.0)).append("</td><td>")
                    .append(esc(r.target())).append("</td><td>")
                    .append(r.failure().map(f -> esc(f.step() + ": " + f.actual())).orElse("")).append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
        for (int i = 0; i < results.size(); i++) scenario(b, i, results.get(i), verdicts);
        b.append("<script>").append(JS).append("</script>\n</body></html>\n");
        return b.toString();
    }

    private static void scenario(StringBuilder b, int index, ScenarioResult r, VerdictTable verdicts) {
        String id = "s" + index;
        b.append("<section id=\"").append(id).append("\" class=\"scenario ").append(r.passed() ? "pass" : "fail").append("\">\n")
                .append("<h2>").append(r.passed() ? "PASS" : "FAIL").append(' ').append(esc(r.name())).append("</h2>\n")
                .append("<p class=\"asserts\">").append(esc(r.asserts())).append("</p>\n")
                .append("<p class=\"source\">").append(esc(r.source())).append(" &middot; ").append(esc(r.file())).append("</p>\n")
                .append("<ol class=\"checks\">\n");
        for (Check c : r.checks()) {
            b.append("<li class=\"").append(c.passed() ? "ok" : "failed").append("\">").append(c.passed() ? "ok " : "FAIL ")
                    .append("<b>").append(esc(c.step())).append("</b> <span class=\"where\">").append(esc(c.where()))
                    .append("</span>: ").append(esc(c.actual())).append("</li>\n");
        }
        b.append("</ol>\n");
        Optional<Check> failure = r.failure();
        int highlighted = failure.map(f -> culprit(r.trace(), f)).orElse(-1);
        failure.ifPresent(f -> failureBox(b, f, verdicts));
        ladder(b, id, r.trace(), highlighted, failure.orElse(null));
        b.append("<div class=\"messages\">\n");
        List<WireMessage> trace = r.trace();
        long start = trace.isEmpty() ? 0 : trace.get(0).epochMillis();
        for (int k = 0; k < trace.size(); k++) {
            WireMessage m = trace.get(k);
            b.append("<details id=\"").append(id).append("-m").append(k).append("\"").append(k == highlighted ? " class=\"culprit\"" : "")
                    .append("><summary>#").append(k + 1).append(' ').append(TIME.format(Instant.ofEpochMilli(m.epochMillis())))
                    .append(" (+").append(m.epochMillis() - start).append(" ms) ").append(esc(m.arrow())).append(' ')
                    .append(esc(m.message().label())).append("</summary>\n");
            passport(m.message()).ifPresent(p -> b.append("<p class=\"stir\">").append(esc(p)).append("</p>\n"));
            b.append("<pre>").append(esc(m.message().text().replace("\r\n", "\n"))).append("</pre></details>\n");
        }
        b.append("</div>\n</section>\n");
    }

    private static void failureBox(StringBuilder b, Check f, VerdictTable v) {
        b.append("<div class=\"failure\"").append(v.rightToLeft() ? " dir=\"rtl\"" : "").append(">\n<p><b>")
                .append(esc(f.step())).append("</b> <span class=\"where\">(").append(esc(f.where())).append(")</span></p>\n<dl>");
        row(b, v.label("verdict-expected"), f.expected());
        row(b, v.label("verdict-got"), f.actual());
        row(b, v.label("verdict-meaning"), f.meaning());
        row(b, v.label("verdict-fix"), f.fix());
        row(b, v.label("verdict-code"), v.codeText(f));
        b.append("</dl></div>\n");
    }

    private static void row(StringBuilder b, String label, String text) {
        if (text == null || text.isBlank()) return;
        b.append("<dt>").append(esc(label)).append("</dt><dd>").append(esc(text)).append("</dd>");
    }

    /**
     * The message a failed check is about: the last received response with the failing status (for
     * a status the step did not expect), else the last message that arrived; -1 when none did.
     */
    static int culprit(List<WireMessage> trace, Check f) {
        int lastIn = -1;
        for (int k = trace.size() - 1; k >= 0; k--) {
            WireMessage m = trace.get(k);
            if (m.sent()) continue;
            if (lastIn < 0) lastIn = k;
            if (f.code() > 0 && !m.message().isRequest() && m.message().status() == f.code()) return k;
        }
        return f.code() > 0 ? lastIn : -1;
    }

    private static void ladder(StringBuilder b, String id, List<WireMessage> trace, int highlighted, Check failure) {
        Map<String, Integer> lanes = new LinkedHashMap<>();
        for (WireMessage m : trace) {
            String local = m.sent() ? m.from() : m.to();
            lanes.putIfAbsent(local, lanes.size());
        }
        for (WireMessage m : trace) lanes.putIfAbsent(m.sent() ? m.to() : m.from(), lanes.size());
        int width = LEFT + Math.max(2, lanes.size()) * LANE + 520; // room for notes right of the arrows
        int height = TOP + Math.max(1, trace.size()) * ROW + 20;
        b.append("<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"message ladder\">\n")
                .append("<defs><marker id=\"").append(id).append("-head\" markerWidth=\"10\" markerHeight=\"8\" refX=\"10\" refY=\"4\" ")
                .append("orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"context-stroke\"/></marker></defs>\n");
        for (Map.Entry<String, Integer> lane : lanes.entrySet()) {
            int x = laneX(lane.getValue());
            b.append("<text class=\"lane\" x=\"").append(x).append("\" y=\"20\" text-anchor=\"middle\">")
                    .append(esc(lane.getValue() == 0 ? "sipdrill " + lane.getKey() : lane.getKey())).append("</text>")
                    .append("<line class=\"life\" x1=\"").append(x).append("\" y1=\"30\" x2=\"").append(x).append("\" y2=\"")
                    .append(height - 10).append("\"/>\n");
        }
        long start = trace.isEmpty() ? 0 : trace.get(0).epochMillis();
        for (int k = 0; k < trace.size(); k++) {
            WireMessage m = trace.get(k);
            int from = laneX(lanes.get(m.from()));
            int to = laneX(lanes.get(m.to()));
            int y = TOP + k * ROW;
            boolean culprit = k == highlighted;
            String label = m.message().label();
            Optional<String> stir = note(m.message());
            b.append("<a class=\"arrow").append(culprit ? " culprit" : "").append("\" href=\"#").append(id).append("-m").append(k)
                    .append("\" data-message=\"").append(id).append("-m").append(k).append("\">")
                    .append("<title>").append(esc(m.message().startLine())).append("</title>")
                    .append("<text class=\"time\" x=\"4\" y=\"").append(y + 4).append("\">+").append(m.epochMillis() - start)
                    .append(" ms</text>")
                    .append("<line x1=\"").append(from).append("\" y1=\"").append(y).append("\" x2=\"").append(to)
                    .append("\" y2=\"").append(y).append("\" marker-end=\"url(#").append(id).append("-head)\"/>")
                    .append("<text class=\"label\" x=\"").append((from + to) / 2).append("\" y=\"").append(y - 5)
                    .append("\" text-anchor=\"middle\">").append(esc(label)).append("</text>");
            stir.ifPresent(s -> b.append("<text class=\"stir\" x=\"").append(Math.max(from, to) + 8).append("\" y=\"")
                    .append(y + 4).append("\">").append(esc(s)).append("</text>"));
            if (culprit && failure != null) {
                b.append("<text class=\"why\" x=\"").append(Math.max(from, to) + 8).append("\" y=\"").append(y + 4).append("\">")
                        .append(esc("\u2190 " + failure.step())).append("</text>");
            }
            b.append("</a>\n");
        }
        b.append("</svg>\n");
    }

    private static int laneX(int lane) {
        return LEFT + lane * LANE + LANE / 2 - 60;
    }

    /**
     * What the ladder shows beside an arrow: a PASSporT's claims beside the INVITE carrying it, and
     * beside a failure response the peer's reason (RFC 3326), which for a STIR/SHAKEN callee names
     * the check that decided.
     */
    static Optional<String> note(SipMessageView m) {
        if (m.isRequest()) return passport(m);
        if (m.status() < 300) return Optional.empty();
        return m.header("Reason").map(r -> {
            Matcher text = Pattern.compile("text\\s*=\\s*\"([^\"]*)\"").matcher(r);
            return "Reason: " + (text.find() ? text.group(1) : r);
        });
    }

    private static final Pattern PASSPORT = Pattern.compile("^\\s*([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]*)");

    /** A PASSporT's claims in a line ("PASSporT attest=A orig=... dest=... iat=..."), for an INVITE that carries one. */
    static Optional<String> passport(SipMessageView m) {
        if (!m.isRequest()) return Optional.empty();
        Optional<String> identity = m.header("Identity");
        if (identity.isEmpty()) return Optional.empty();
        Matcher t = PASSPORT.matcher(identity.get());
        if (!t.find()) return Optional.of("Identity header (not a compact PASSporT)");
        try {
            String claims = new String(Base64.getUrlDecoder().decode(t.group(2)), StandardCharsets.UTF_8);
            List<String> parts = new ArrayList<>();
            for (String key : List.of("attest", "orig", "dest", "iat", "origid")) {
                Matcher v = Pattern.compile("\"" + key + "\":(\\{[^}]*\\}|\"[^\"]*\"|[0-9]+)").matcher(claims);
                if (v.find()) parts.add(key + "=" + v.group(1).replace("\"", ""));
            }
            return Optional.of("PASSporT " + String.join(" ", parts));
        } catch (IllegalArgumentException e) {
            return Optional.of("Identity header (payload is not base64url)");
        }
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
            h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em}
            table.verdicts{border-collapse:collapse}table.verdicts td,table.verdicts th{border:1px solid #ccc;padding:3px 8px;text-align:left}
            tr.pass td:first-child,section.pass h2{color:#146c2e}tr.fail td:first-child,section.fail h2{color:#b3261e}
            .where,.source{color:#666}.checks li.failed{color:#b3261e}
            .failure{border-left:4px solid #b3261e;background:#fdf0ef;padding:.4em 1em;margin:.8em 0}
            .failure dt{font-weight:bold;float:left;clear:left;width:6em}.failure dd{margin-left:7em}
            svg.ladder{display:block;margin:1em 0;font:12px monospace}
            svg .life{stroke:#999;stroke-dasharray:4 3}svg .lane{font-weight:bold}
            svg a.arrow line{stroke:#1f4e8c;stroke-width:1.5}svg a.arrow text.label{fill:#1f4e8c}
            svg a.arrow.culprit line{stroke:#b3261e;stroke-width:3}svg a.arrow.culprit text{fill:#b3261e;font-weight:bold}
            svg text.time{fill:#666}svg text.stir{fill:#6b4e00}svg text.why{fill:#b3261e}
            details{margin:.2em 0}details.culprit>summary{color:#b3261e;font-weight:bold}
            pre{background:#f6f6f6;padding:.5em;overflow:auto}.stir{color:#6b4e00}
            """;

    /** An arrow links to its message (#s0-m3); following the link, or opening the page at it, unfolds the message. */
    private static final String JS = """
            function openMessage(){var d=document.getElementById(decodeURIComponent(location.hash.slice(1)));
            if(d&&d.tagName==='DETAILS'){d.open=true;}}
            window.addEventListener('hashchange',openMessage);openMessage();
            """;
}
