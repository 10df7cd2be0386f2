package io.sipdrill.cli;

import io.sipdrill.SipDrill;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.report.JUnitXml;
import io.sipdrill.report.ReportWriter;
import io.sipdrill.report.VerdictTable;
import io.sipdrill.scenario.Scenario;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipTarget;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Play scenarios against a real peer and assert its behaviour.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    SharedOptions shared;

    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "A .conf file or a bundled name such as refer/blind-transfer")
    List<String> scenarios;

    @Option(names = "--target", paramLabel = "URI", description = "The peer to test (sets the variable target)")
    String target;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "Set a scenario variable")
    List<String> vars = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Local address (default 127.0.0.1, any free port)")
    String bind;

    @Option(names = "--transport", paramLabel = "udp|tcp|tls", description = "Transport for requests sipdrill sends")
    String transport;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve HTTP here: /health and the signing certificate, which becomes the x5u of signed calls")
    String http;

    @Option(names = "--rate", paramLabel = "CALLS/S", description = "Load mode: start the scenario as independent calls at this rate")
    Double rate;

    @Option(names = "--calls", paramLabel = "N", description = "Load mode: how many calls in all")
    long calls;

    @Option(names = "--max-concurrent", paramLabel = "N", description = "Load mode: at most this many calls at once (default 100)")
    int maxConcurrent = 100;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Load mode: stop starting calls after this long (e.g. 10m)")
    String duration;

    @Option(names = "--max-failed", paramLabel = "N", description = "Load mode: exit 1 when more calls than this failed (default 0)")
    long maxFailed;

    @Option(names = "--max-p99", paramLabel = "DURATION", description = "Load mode: exit 1 when a p99 response time is above this")
    String maxP99;

    @Option(names = "--junit", paramLabel = "FILE", description = "Write JUnit XML here")
    File junit;

    @Option(names = "--report", paramLabel = "DIR", description = "Write verdicts, junit.xml and message traces here")
    File report;

    private static void checkVars(List<Scenario> loaded, Map<String, String> values) {
        for (String name : values.keySet()) {
            if (!io.sipdrill.scenario.ScenarioLoader.CREDENTIALS.contains(name) && loaded.stream().noneMatch(s -> s.vars().containsKey(name))) {
                throw new Failures.UsageError("no scenario given has a variable " + name + "; "
                        + loaded.get(0).name() + " has: " + String.join(", ", new java.util.TreeSet<>(loaded.get(0).vars().keySet())));
            }
        }
    }

    private Integer load(SipDrill drill, Scenario scenario, Map<String, String> values, String[] hp, PrintStream out)
            throws InterruptedException {
        java.time.Duration limit = duration == null ? null : parseDuration("--duration", duration);
        java.time.Duration p99 = maxP99 == null ? null : parseDuration("--max-p99", maxP99);
        io.sipdrill.engine.LoadRunner.Options o;
        try {
            o = new io.sipdrill.engine.LoadRunner.Options(rate, calls, maxConcurrent, limit);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageError(e.getMessage());
        }
        var runner = drill.load(scenario, values, hp == null ? null : hp[0], hp == null ? -1 : Integer.parseInt(hp[1]), transport, o);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread stop = new Thread(() -> {
            runner.stop(); // Ctrl-C: no new calls; those in flight end; the summary is still printed
            try {
                done.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "sipdrill-load-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        boolean terminal = System.console() != null;
        out.printf(java.util.Locale.ROOT, "sipdrill load: %s at %.1f calls/s, %s, at most %d at once, through %s%n",
                scenario.name(), rate, calls > 0 ? calls + " calls" : "for " + duration, maxConcurrent, runner.sipPath());
        var summary = runner.run(line -> {
            if (terminal) out.print("\r" + line + "   ");
            else out.println(line);
        });
        if (terminal) out.println();
        out.printf(java.util.Locale.ROOT, "summary: %d started, %d passed, %d failed in %.1f s (%.1f calls/s achieved)%s%n",
                summary.started(), summary.passed(), summary.failed(), summary.elapsed().toMillis() / 1000.0,
                summary.achievedRate(), summary.stoppedEarly() ? ", stopped early" : "");
        if (summary.stopReason() != null) out.println("  stopped: " + summary.stopReason()
                + "; check that it is up and reachable, and whether it fell over under this rate");
        if (summary.notStarted() > 0) out.println("  not started: " + summary.notStarted());
        if (!summary.failures().isEmpty()) {
            out.println("  failures by reason:");
            summary.failures().forEach((reason, n) -> out.printf(java.util.Locale.ROOT, "  %6d  %s%n", n, reason));
        }
        summary.percentilesMs().forEach((method, p) -> out.printf(java.util.Locale.ROOT,
                "  response time %-8s p50 %.1f ms  p99 %.1f ms%n", method, p[0], p[1]));
        int code = ExitCode.PASS;
        if (summary.failed() > maxFailed) {
            out.println("threshold: " + summary.failed() + " failed calls > --max-failed " + maxFailed);
            code = ExitCode.FAILED;
        }
        if (p99 != null && summary.p99Ms() > p99.toMillis()) {
            out.printf(java.util.Locale.ROOT, "threshold: p99 %.1f ms > --max-p99 %d ms%n", summary.p99Ms(), p99.toMillis());
            code = ExitCode.FAILED;
        }
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running and now lets the JVM go
        }
        return code;
    }

    private static java.time.Duration parseDuration(String option, String text) {
        try {
            return io.sipdrill.scenario.Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageError(option + " " + text + ": not a duration (write 500ms, 30s or 10m)");
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (String v : vars) {
            int eq = v.indexOf('=');
            if (eq <= 0) throw new Failures.UsageError("--var takes NAME=VALUE, not " + v);
            values.put(v.substring(0, eq).trim(), v.substring(eq + 1));
        }
        if (target != null) {
            try {
                SipTarget.parse(target);
            } catch (SipException e) {
                throw new Failures.UsageError("--target " + target + ": " + e.getMessage()
                        + " (write sip:user@host:port)");
            }
            values.put("target", target);
        }
        if (transport != null && !transport.matches("udp|tcp|tls")) {
            throw new Failures.UsageError("--transport must be udp, tcp or tls, not " + transport);
        }
        String[] hp = SharedOptions.hostPort(bind);
        PrintStream out = System.out;
        String[] httpAt = SharedOptions.hostPort(http);
        var settings = shared.settings();
        VerdictTable verdicts = shared.verdicts(settings);
        try (SipDrill drill = new SipDrill(settings)) {
            if (httpAt != null) {
                var server = drill.startHttp(httpAt[0], Integer.parseInt(httpAt[1]));
                System.err.println("sipdrill: HTTP on " + server.baseUrl() + (drill.x5u().isBlank() ? "" : ", x5u " + drill.x5u()));
            }
            List<Scenario> loaded = new ArrayList<>();
            for (String s : scenarios) loaded.add(drill.loader().load(s));
            if (rate != null) {
                if (loaded.size() != 1) throw new Failures.UsageError("load mode (--rate) plays one scenario, not " + loaded.size());
                checkVars(loaded, values);
                return load(drill, loaded.get(0), values, hp, out);
            }
            checkVars(loaded, values);
            List<ScenarioResult> results = drill.play(loaded, values, hp == null ? null : hp[0],
                    hp == null ? -1 : Integer.parseInt(hp[1]), transport, r -> verdicts.printLine(out, r));
            if (junit != null) JUnitXml.write(junit.toPath(), "sipdrill", results, verdicts);
            if (report != null) ReportWriter.write(report.toPath(), results, verdicts);
            out.println(verdicts.summary(results));
            return results.stream().allMatch(ScenarioResult::passed) ? ExitCode.PASS : ExitCode.FAILED;
        }
    }
}
