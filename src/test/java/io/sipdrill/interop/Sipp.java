package io.sipdrill.interop;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** SIPp running one of the scenarios under src/test/resources/sipp, as a real process on loopback. */
final class Sipp implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path dir;

    private Sipp(int port, Process process, Path dir) {
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /** A SIPp UAS waiting for one call; returns once SIPp holds its port, so no first request is lost. */
    static Sipp uas(String scenario, String transport, String... extra) throws IOException {
        Sipp sipp = start(scenario, null, transport, extra);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> !sipp.process.isAlive() || portTaken(sipp.port, transport));
        return sipp;
    }

    private static boolean portTaken(int port, String transport) {
        try (java.io.Closeable probe = transport.equals("tcp")
                ? new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))
                : new DatagramSocket(port, InetAddress.getByName("127.0.0.1"))) {
            return false;
        } catch (IOException inUse) {
            return true;
        }
    }

    /** A SIPp UAC placing one call to host:port. */
    static Sipp uac(String scenario, String remote, String transport, String... extra) throws IOException {
        return start(scenario, remote, transport, extra);
    }

    private static Sipp start(String scenario, String remote, String transport, String... extra) throws IOException {
        String sipp = Peers.require("sipp", "sip-tester");
        Path dir = Files.createTempDirectory("sipp-");
        File xml = new File("src/test/resources/sipp/" + scenario);
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(sipp, "-sf", xml.getAbsolutePath(), "-i", "127.0.0.1",
                "-p", Integer.toString(port), "-t", transport.equals("tcp") ? "t1" : "u1", "-m", "1",
                "-nostdin", "-trace_err", "-trace_msg", "-timeout", "60s", "-timeout_error"));
        cmd.addAll(List.of(extra));
        if (remote != null) cmd.add(remote);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("screen.txt").toFile()).start();
        return new Sipp(port, p, dir);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Waits for SIPp to end by itself (its scenarios are bounded) and returns its exit code. */
    int waitForExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("SIPp did not finish within " + seconds + " s\n" + log());
        }
        return process.exitValue();
    }

    /** What SIPp traced: its messages and its errors, for assertion messages. */
    String log() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith("_errors.log") || f.toString().endsWith("_messages.log")).toList()) {
                b.append("== ").append(f.getFileName()).append('\n').append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            b.append("(no SIPp logs: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }

    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int candidate = 20000 + (int) (Math.random() * 30000);
            try (DatagramSocket d = new DatagramSocket(candidate, InetAddress.getByName("127.0.0.1"));
                 ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getByName("127.0.0.1"))) {
                return candidate;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port");
    }
}
