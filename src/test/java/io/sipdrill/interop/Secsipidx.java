package io.sipdrill.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's secsipidx and openssl as independent STIR/SHAKEN tools, in a working directory. */
final class Secsipidx {
    record Result(int exit, String output) { }

    private Secsipidx() { }

    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        String tool = Peers.require(args[0], args[0].equals("openssl") ? "openssl" : "secsipidx");
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.set(0, tool);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }

    /** A CA and an ES256 service-provider certificate made by openssl alone: ca.pem, sp.pem, sp.key. */
    static void opensslPki(Path dir) throws IOException, InterruptedException {
        java.nio.file.Files.writeString(dir.resolve("sp.ext"),
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
        for (String[] step : List.of(
                new String[] {"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"},
                new String[] {"openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=openssl test STI-CA",
                        "-days", "30", "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
                new String[] {"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sp.key"},
                new String[] {"openssl", "req", "-new", "-key", "sp.key", "-subj", "/CN=openssl test SP", "-out", "sp.csr"},
                new String[] {"openssl", "x509", "-req", "-in", "sp.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                        "-CAcreateserial", "-days", "30", "-out", "sp.pem", "-extfile", "sp.ext"})) {
            Result r = run(dir, step);
            if (r.exit() != 0) throw new AssertionError(String.join(" ", step) + " failed: " + r.output());
        }
    }

    /** secsipidx signs a SHAKEN PASSporT now and prints the whole Identity header value. */
    static String sign(Path dir, String key, String x5u, String orig, String dest, String attest)
            throws IOException, InterruptedException {
        return lastLine(run(dir, "secsipidx", "-sign-full", "-k", key, "-x5u", x5u, "-o", orig, "-d", dest, "-a", attest));
    }

    /**
     * A token with a given iat: secsipidx's -sign-full always uses the current time, so this uses
     * -sign (token only) and adds the Identity parameters as -sign-full would.
     */
    static String signAt(Path dir, String key, String x5u, String orig, String dest, String attest, long iat)
            throws IOException, InterruptedException {
        String token = lastLine(run(dir, "secsipidx", "-sign", "-k", key, "-x5u", x5u, "-o", orig, "-d", dest, "-a", attest,
                "-iat", Long.toString(iat), "-orig-id", java.util.UUID.randomUUID().toString()));
        return token + ";info=<" + x5u + ">;alg=ES256;ppt=shaken";
    }

    private static String lastLine(Result r) {
        if (r.exit() != 0 || r.output().isEmpty()) throw new AssertionError("secsipidx could not sign: " + r.output());
        return r.output().lines().reduce((a, b) -> b).orElseThrow();
    }
}
