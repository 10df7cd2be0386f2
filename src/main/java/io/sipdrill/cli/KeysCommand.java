package io.sipdrill.cli;

import io.sipdrill.stir.TestPki;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "STIR/SHAKEN and TLS test keys.",
        subcommands = KeysCommand.Init.class)
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a test PKI: ca-cert.pem, ca-key.pem (a test STI-CA root), sp-cert.pem, sp-key.pem "
                    + "(an ES256 service-provider certificate it signs, with TNAuthList), tls-cert.pem, tls-key.pem "
                    + "(a TLS certificate from the same root for localhost, 127.0.0.1 and ::1).")
    static final class Init implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Where to write the files")
        Path dir;

        @Option(names = "--spc", paramLabel = "CODE", description = "Service provider code in TNAuthList (default 1234)")
        String spc = "1234";

        @Option(names = "--force", description = "Overwrite existing files")
        boolean force;

        @Override
        public Integer call() throws Exception {
            TestPki.create(dir, spc, force);
            Path d = dir.toAbsolutePath().normalize();
            System.out.println("sipdrill keys: wrote " + String.join(", ", TestPki.FILES) + " in " + d);
            System.out.println("  sign calls:   --set sipdrill.stir.sign.private-key=\"" + d.resolve("sp-key.pem") + "\""
                    + " --set sipdrill.stir.sign.certificate=\"" + d.resolve("sp-cert.pem") + "\" --http 127.0.0.1:8080");
            System.out.println("  verify them:  --set 'sipdrill.stir.verify.trust-anchors=[\"" + d.resolve("ca-cert.pem") + "\"]'");
            System.out.println("  TLS:          certificate " + d.resolve("tls-cert.pem") + ", key " + d.resolve("tls-key.pem")
                    + " (localhost, 127.0.0.1, ::1); peers trust it through " + d.resolve("ca-cert.pem"));
            System.out.println("  (test keys only: the root key is in ca-key.pem, unprotected)");
            return ExitCode.PASS;
        }
    }
}
