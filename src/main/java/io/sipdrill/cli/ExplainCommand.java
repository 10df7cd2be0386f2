package io.sipdrill.cli;

import io.sipdrill.catalogue.Catalogue;
import io.sipdrill.catalogue.Explainer;
import io.sipdrill.config.ConfigLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "What a SIP response code means, when you see it and what to do; two codes: side by side.")
final class ExplainCommand implements Callable<Integer> {
    @Parameters(arity = "1..2", paramLabel = "CODE", description = "A response code such as 607, or two to compare")
    List<String> codes;

    @Option(names = "--lang", paramLabel = "en|ar|zh",
            description = "Language (default: sipdrill.lang, else the system's, else en)")
    String lang;

    @Override
    public Integer call() {
        if (codes.size() > 2) throw new Failures.UsageError("explain takes one code, or two to compare, not " + codes.size());
        String configured = ConfigLoader.load(null, List.of()).lang();
        Explainer explainer = new Explainer(Catalogue.of(Catalogue.choose(lang, configured, java.util.Locale.getDefault())));
        Catalogue.Entry first = explainer.lookup(codes.get(0));
        String text = codes.size() == 1 ? explainer.explain(first) : explainer.compare(first, explainer.lookup(codes.get(1)));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(text);
        out.flush();
        return ExitCode.PASS;
    }
}
