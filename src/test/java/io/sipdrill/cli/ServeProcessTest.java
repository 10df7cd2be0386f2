package io.sipdrill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sipdrill.TestSettings;
import io.sipdrill.SipDrill;
import io.sipdrill.engine.ScenarioResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `serve` as a user runs it: a separate JVM that serves until SIGTERM and then exits cleanly. */
class ServeProcessTest {
    static Process serve(String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.sipdrill.cli.Main", "serve"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void transfereeServesARealTransferAndStopsOnSigterm() throws Exception {
        int port = freePort();
        Process p = serve("--role", "transferee", "--bind", "127.0.0.1:" + port);
        AtomicReference<String> banner = new AtomicReference<>("");
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> lines.lines().forEach(l -> banner.updateAndGet(b -> b + l + "\n")));
        reader.setDaemon(true);
        reader.start();
        try (SipDrill drill = new SipDrill(TestSettings.with())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.get().contains("listening on"));
            assertThat(banner.get()).contains("role transferee listening on 127.0.0.1:" + port);
            SipDrill.RunningRole target = drill.startRole("answer", "127.0.0.1", 0, "udp");
            ScenarioResult r = drill.play(List.of(drill.loader().load("refer/blind-transfer")),
                    Map.of("target", "sip:bob@127.0.0.1:" + port, "refer-to", "sip:carol@" + target.address()),
                    "127.0.0.1", 0, "udp", x -> { }).get(0);
            assertThat(r.passed()).as(String.valueOf(r.failure())).isTrue();
        } finally {
            p.destroy(); // SIGTERM
        }
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        assertThat(p.exitValue()).isIn(0, 143);
    }

    @Test
    void aPortInUseIsOneClearLineAndExitTwo() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            Process p = serve("--role", "answer", "--bind", "127.0.0.1:" + taken.getLocalPort());
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).isEqualTo(ExitCode.BAD_INPUT);
            Matcher m = Pattern.compile("sipdrill: cannot listen on 127.0.0.1:(\\d+) .*in use").matcher(output);
            assertThat(m.find()).as(output).isTrue();
            assertThat(output).doesNotContain("\tat ");
        }
    }

    @Test
    void ctrlCStopsALoadRunAndStillPrintsTheSummary() throws Exception {
        int port = freePort();
        Process serve = serve("--role", "answer", "--bind", "127.0.0.1:" + port);
        try {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            AtomicReference<String> banner = new AtomicReference<>("");
            Thread r1 = new Thread(() -> new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))
                    .lines().forEach(l -> banner.updateAndGet(b -> b + l + "\n")));
            r1.setDaemon(true);
            r1.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> banner.get().contains("listening on"));
            Process load = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.sipdrill.cli.Main",
                    "run", "basic/call", "--target", "sip:bob@127.0.0.1:" + port, "--rate", "50", "--calls", "100000")
                    .redirectErrorStream(true).start();
            AtomicReference<String> output = new AtomicReference<>("");
            Thread r2 = new Thread(() -> new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))
                    .lines().forEach(l -> output.updateAndGet(b -> b + l + "\n")));
            r2.setDaemon(true);
            r2.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> output.get().contains("[  1.0s]"));
            new ProcessBuilder("kill", "-INT", Long.toString(load.pid())).start().waitFor();
            assertThat(load.waitFor(30, TimeUnit.SECONDS)).as(output.get()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> output.get().contains("summary:"));
            assertThat(output.get()).contains("stopped early", "not started:");
        } finally {
            serve.destroy();
        }
    }

    static int freePort() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
