package io.sipdrill.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The sipdrill command line. Help goes to stdout, errors to stderr; exit codes per {@link ExitCode}. */
@Command(name = "sipdrill", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Scriptable SIP test agent: plays scenarios against SIP peers and asserts RFC behaviour.",
        subcommands = {DemoCommand.class, RunCommand.class, ServeCommand.class, ValidateCommand.class, ExplainCommand.class, KeysCommand.class},
        footer = {"", "Exit codes: 0 pass, 1 a scenario assertion failed, 2 bad usage, configuration or scenario file."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Arabic and Chinese verdicts must survive a terminal or CI log whose locale is not UTF-8
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                java.nio.charset.StandardCharsets.UTF_8));
        System.setErr(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                java.nio.charset.StandardCharsets.UTF_8));
        int code = execute(args);
        System.exit(code); // stack threads must not keep the JVM alive
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new Failures());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("sipdrill: " + e.getMessage());
            e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.BAD_INPUT;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"sipdrill " + (v == null ? "(development build)" : v)};
        }
    }
}
