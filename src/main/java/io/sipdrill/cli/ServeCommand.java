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

    @Option(names = "--transport", paramLabel = "udp|tcp|tls", description = "Transport for requests the role originates")
    String transport;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve HTTP here: /health and the signing certificate (sipdrill.stir.sign.certificate) for x5u")
    String http;

    @Override
    public Integer call() throws Exception {
        if (transport != null && !transport.matches("udp|tcp|tls")) {
            throw new Failures.UsageError("--transport must be udp, tcp or tls, not " + transport);
        }
        String[] hp = SharedOptions.hostPort(bind);
        var settings = shared.settings();
        String effective = transport != null ? transport : settings.sip().transport();
        if (effective.equalsIgnoreCase("tls") && settings.sip().tls().certificate().isBlank()) {
            throw new Failures.UsageError("serving over TLS needs a certificate: set sipdrill.sip.tls.certificate and"
                    + " sipdrill.sip.tls.private-key (PEM files; ./sipdrill keys init DIR writes tls-cert.pem and tls-key.pem)");
        }
        SipDrill drill = new SipDrill(settings);
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
                    + (effective.equalsIgnoreCase("tls") ? " (udp and tls)" : " (udp and tcp)") + httpLine + "; stop with Ctrl-C");
            System.out.flush();
            stopped.await();
            return ExitCode.PASS;
        } catch (RuntimeException e) {
            drill.close();
            throw e;
        }
    }
}
