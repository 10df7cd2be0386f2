package io.sipdrill.cli;

import io.sipdrill.SipDrill;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.report.ReportWriter;
import io.sipdrill.report.VerdictTable;
import io.sipdrill.roles.Roles;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the built-in roles on 127.0.0.1, play every bundled scenario against them, print the verdicts.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    SharedOptions shared;

    @Option(names = "--report", paramLabel = "DIR", description = "Where to write verdicts, junit.xml and traces "
            + "(default: sipdrill.run.report-dir, target/sipdrill-report)")
    File report;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write JUnit XML here")
    File junit;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        var settings = shared.settings();
        VerdictTable verdicts = shared.verdicts(settings);
        try (SipDrill drill = new SipDrill(settings)) {
            out.println("sipdrill demo: built-in roles " + String.join(", ", Roles.NAMES)
                    + " on 127.0.0.1, bundled scenarios against them");
            List<ScenarioResult> results = drill.demo(r -> verdicts.printLine(out, r));
            Path dir = report != null ? report.toPath() : Path.of(drill.settings().run().reportDir());
            ReportWriter.write(dir, results, verdicts);
            if (junit != null) io.sipdrill.report.JUnitXml.write(junit.toPath(), "sipdrill-demo", results, verdicts);
            out.println(verdicts.summary(results) + "  (report: " + dir + ")");
            return results.stream().allMatch(ScenarioResult::passed) ? ExitCode.PASS : ExitCode.FAILED;
        }
    }
}
