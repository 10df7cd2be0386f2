package io.sipdrill.cli;

import io.sipdrill.config.ConfigLoader;
import io.sipdrill.engine.ScenarioRunner;
import io.sipdrill.scenario.ScenarioException;
import io.sipdrill.sip.SipException;
import picocli.CommandLine;

/** Turns what went wrong into one clear line on stderr and an exit code; never only a stack trace. */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        String message;
        if (e instanceof ScenarioException || e instanceof ConfigLoader.BadConfig
                || e instanceof ScenarioRunner.BadVariable || e instanceof SipException
                || e instanceof IllegalArgumentException || e instanceof UsageError) {
            message = e.getMessage();
        } else {
            message = "internal error: " + e + " (please report it; run with SIPDRILL_LOG=DEBUG for details)";
            if (System.getenv("SIPDRILL_LOG") != null) e.printStackTrace(cli.getErr());
        }
        cli.getErr().println("sipdrill: " + message);
        return ExitCode.BAD_INPUT;
    }

    /** Bad usage found after parsing (a --var no scenario declares, a malformed --bind). */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
