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

    @Option(names = "--transport", paramLabel = "udp|tcp", description = "Transport for requests sipdrill sends")
    String transport;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve HTTP here: /health and the signing certificate, which becomes the x5u of signed calls")
    String http;

    @Option(names = "--junit", paramLabel = "FILE", description = "Write JUnit XML here")
    File junit;

    @Option(names = "--report", paramLabel = "DIR", description = "Write verdicts, junit.xml and message traces here")
    File report;

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
        if (transport != null && !transport.matches("udp|tcp")) {
            throw new Failures.UsageError("--transport must be udp or tcp, not " + transport);
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
            for (String name : values.keySet()) {
                if (loaded.stream().noneMatch(s -> s.vars().containsKey(name))) {
                    throw new Failures.UsageError("no scenario given has a variable " + name + "; "
                            + loaded.get(0).name() + " has: " + String.join(", ", new java.util.TreeSet<>(loaded.get(0).vars().keySet())));
                }
            }
            List<ScenarioResult> results = drill.play(loaded, values, hp == null ? null : hp[0],
                    hp == null ? -1 : Integer.parseInt(hp[1]), transport, r -> verdicts.printLine(out, r));
            if (junit != null) JUnitXml.write(junit.toPath(), "sipdrill", results, verdicts);
            if (report != null) ReportWriter.write(report.toPath(), results, verdicts);
            out.println(verdicts.summary(results));
            return results.stream().allMatch(ScenarioResult::passed) ? ExitCode.PASS : ExitCode.FAILED;
        }
    }
}
