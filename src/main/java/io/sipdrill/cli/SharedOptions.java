package io.sipdrill.cli;

import io.sipdrill.config.ConfigLoader;
import io.sipdrill.catalogue.Catalogue;
import io.sipdrill.catalogue.Explainer;
import io.sipdrill.config.Settings;
import io.sipdrill.report.VerdictTable;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command that reads configuration takes. */
final class SharedOptions {
    @Option(names = "--set", paramLabel = "PATH=HOCON",
            description = "Override a setting, e.g. --set sipdrill.roles.transferee.refer-response=200")
    List<String> sets = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "A configuration file (HOCON) over config/application.conf")
    File config;

    @Option(names = "--lang", paramLabel = "en|ar|zh",
            description = "Language of verdicts and explanations (default: sipdrill.lang, else the system's, else en)")
    String lang;

    Settings settings() {
        return ConfigLoader.load(config, sets);
    }

    /** Verdicts in the chosen language: --lang, else sipdrill.lang, else the system locale, else English. */
    VerdictTable verdicts(Settings settings) {
        String chosen = Catalogue.choose(lang, settings.lang(), java.util.Locale.getDefault());
        return new VerdictTable(new Explainer(Catalogue.of(chosen)));
    }

    /** "127.0.0.1:5070" or "[::1]:5070" or "127.0.0.1" (port 0: any). */
    static String[] hostPort(String bind) {
        if (bind == null) return null;
        String host;
        String port;
        if (bind.startsWith("[")) {
            int close = bind.indexOf(']');
            if (close < 0) throw new Failures.UsageError("--bind " + bind + ": missing ] (write [::1]:5070)");
            host = bind.substring(1, close);
            port = bind.length() > close + 1 && bind.charAt(close + 1) == ':' ? bind.substring(close + 2) : "0";
        } else {
            int colon = bind.lastIndexOf(':');
            host = colon < 0 ? bind : bind.substring(0, colon);
            port = colon < 0 ? "0" : bind.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new Failures.UsageError("--bind " + bind + ": the port must be a number 0-65535 (write 127.0.0.1:5070)");
        }
        return new String[] {host, port};
    }
}
