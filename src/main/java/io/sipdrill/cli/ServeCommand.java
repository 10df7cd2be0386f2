package io.sipdrill.cli;

import io.sipdrill.SipDrill;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run one built-in role until stopped (SIGTERM or Ctrl-C stop it cleanly).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    SharedOptions shared;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "answer, b2bua, redirect, spam-callee or transferee")
    String role;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Where to listen (default 127.0.0.1:5060)")
    String bind = "127.0.0.1:5060";

    @Option(names = "--transport", paramLabel = "udp|tcp", description = "Transport for requests the role originates")
    String transport;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve HTTP here: /health and the signing certificate (sipdrill.stir.sign.certificate) for x5u")
    String http;

    @Override
    public Integer call() throws Exception {
        if (transport != null && !transport.matches("udp|tcp")) {
            throw new Failures.UsageError("--transport must be udp or tcp, not " + transport);
        }
        String[] hp = SharedOptions.hostPort(bind);
        SipDrill drill = new SipDrill(shared.settings());
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            String[] httpAt = SharedOptions.hostPort(http);
            String httpLine = "";
            if (httpAt != null) {
                var server = drill.startHttp(httpAt[0], Integer.parseInt(httpAt[1]));
                httpLine = "; HTTP on " + server.baseUrl() + (drill.x5u().isBlank() ? "" : ", certificate at " + drill.x5u());
            }
            SipDrill.RunningRole running = drill.startRole(role, hp[0], Integer.parseInt(hp[1]), transport);
            running.role().verdicts(line -> System.out.println(role + ": " + line));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                drill.close();
                stopped.countDown();
            }, "sipdrill-stop"));
            System.out.println("sipdrill serve: role " + role + " listening on " + running.address()
                    + " (udp and tcp)" + httpLine + "; stop with Ctrl-C");
            System.out.flush();
            stopped.await();
            return ExitCode.PASS;
        } catch (RuntimeException e) {
            drill.close();
            throw e;
        }
    }
}
