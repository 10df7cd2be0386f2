// Verifications per second of sipdrill's PASSporT verifier on one thread, certificate cached,
// beside the JDK's own ES256 (SunEC) verifying the same signatures. Run with bench/verify-rate.sh.
import io.sipdrill.http.HttpServer;
import io.sipdrill.stir.CertificateFetcher;
import io.sipdrill.stir.PassportSigner;
import io.sipdrill.stir.PassportVerifier;
import io.sipdrill.stir.Pem;
import io.sipdrill.stir.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

public class VerifyRate {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path dir = Files.createTempDirectory("verify-rate");
        TestPki.create(dir, "1234", false);
        try (HttpServer http = HttpServer.start("127.0.0.1", 0)) {
            String x5u = http.publish("/sp.pem", "application/x-pem-file", Files.readAllBytes(dir.resolve("sp-cert.pem")));
            PassportSigner signer = new PassportSigner(Pem.privateKey(dir.resolve("sp-key.pem")), x5u);
            PassportVerifier verifier = new PassportVerifier(new CertificateFetcher(List.of("127.0.0.1"), Duration.ofSeconds(2),
                    65536, Duration.ofHours(1)), Pem.certificates(dir.resolve("ca-cert.pem")), Duration.ofMinutes(10), Clock.systemUTC());
            List<String> tokens = new ArrayList<>();
            long iat = System.currentTimeMillis() / 1000;
            for (int i = 0; i < 1000; i++) tokens.add(signer.identity("A", "+1555123" + String.format("%04d", i), "15551240000", iat));
            List<String> callers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) callers.add("1555123" + String.format("%04d", i));

            // sipdrill: the whole verification (parse, claims, cached chain, ES256 via Bouncy Castle)
            verifier.verify(tokens.get(0), List.of(callers.get(0)), List.of("15551240000")).get(); // fetch, cache
            long n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9) / 3; // warm-up
            while (System.nanoTime() < end) check(verifier, tokens, callers, n++);
            n = 0;
            long start = System.nanoTime();
            end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) check(verifier, tokens, callers, n++);
            double sipdrill = n / ((System.nanoTime() - start) / 1e9);

            // the JDK's ECDSA on the same signatures: the signature check alone
            var key = Pem.certificates(dir.resolve("sp-cert.pem")).get(0).getPublicKey();
            long m = 0;
            end = System.nanoTime() + (long) (seconds * 1e9) / 3;
            while (System.nanoTime() < end) jdk(key, tokens.get((int) (m++ % tokens.size())));
            m = 0;
            start = System.nanoTime();
            end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) jdk(key, tokens.get((int) (m++ % tokens.size())));
            double jdk = m / ((System.nanoTime() - start) / 1e9);

            System.out.printf("sipdrill verifier (full check, cached x5u, 1 thread): %,8.0f verifications/s%n", sipdrill);
            System.out.printf("JDK SunEC ES256 signature check alone (1 thread):    %,8.0f verifications/s%n", jdk);
            System.out.printf("ratio sipdrill/JDK: %.1f%n", sipdrill / jdk);
        }
    }

    static void check(PassportVerifier v, List<String> tokens, List<String> callers, long i) throws Exception {
        int k = (int) (i % tokens.size());
        if (!v.verify(tokens.get(k), List.of(callers.get(k)), List.of("15551240000")).get().valid()) {
            throw new IllegalStateException("a valid token failed to verify");
        }
    }

    static void jdk(java.security.PublicKey key, String identity) throws Exception {
        String token = identity.substring(0, identity.indexOf(';'));
        int dot = token.lastIndexOf('.');
        byte[] raw = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initVerify(key);
        s.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        if (!s.verify(raw)) throw new IllegalStateException("JDK could not verify");
    }
}
