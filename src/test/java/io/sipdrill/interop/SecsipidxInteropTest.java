package io.sipdrill.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sipdrill.http.HttpServer;
import io.sipdrill.stir.CertificateFetcher;
import io.sipdrill.stir.PassportSigner;
import io.sipdrill.stir.PassportVerifier;
import io.sipdrill.stir.Pem;
import io.sipdrill.stir.TestPki;
import io.sipdrill.stir.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sipdrill against an independent STIR/SHAKEN implementation: what secsipidx signs (under a CA made
 * by openssl) verifies in sipdrill with the expected outcome, and what sipdrill signs passes
 * secsipidx's own check.
 */
class SecsipidxInteropTest {
    static final String ORIG = "15551230000";
    static final String DEST = "15551240000";
    @TempDir
    static Path dir;
    static HttpServer http;
    static String x5u;
    static PassportVerifier verifier;

    @BeforeAll
    static void start() throws Exception {
        Secsipidx.opensslPki(dir);
        http = HttpServer.start("127.0.0.1", 0);
        x5u = http.publish("/sp.pem", "application/x-pem-file", Files.readAllBytes(dir.resolve("sp.pem")));
        verifier = verifier(List.of("127.0.0.0/8"), Pem.certificates(dir.resolve("ca.pem")));
    }

    @AfterAll
    static void stop() {
        if (http != null) http.close();
    }

    static PassportVerifier verifier(List<String> hosts, List<java.security.cert.X509Certificate> roots) {
        return new PassportVerifier(new CertificateFetcher(hosts, Duration.ofSeconds(2), 65536, Duration.ofHours(1)),
                roots, Duration.ofSeconds(60), Clock.systemUTC());
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static Verification check(PassportVerifier v, String identity, String caller) throws Exception {
        return v.verify(identity, List.of(caller), List.of(DEST)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void secsipidxTokensReachTheExpectedVerdicts() throws Exception {
        for (String level : List.of("A", "B", "C")) {
            Verification v = check(verifier, Secsipidx.sign(dir, "sp.key", x5u, ORIG, DEST, level), ORIG);
            assertThat(v.valid()).as(level + ": " + v.reason()).isTrue();
            assertThat(v.attest()).isEqualTo(level);
        }
        String fresh = Secsipidx.sign(dir, "sp.key", x5u, ORIG, DEST, "A");
        assertThat(check(verifier, Secsipidx.signAt(dir, "sp.key", x5u, ORIG, DEST, "A", now()), ORIG).valid())
                .as("-sign with iat now").isTrue();
        assertThat(check(verifier, Secsipidx.signAt(dir, "sp.key", x5u, ORIG, DEST, "A", now() - 600), ORIG).status())
                .as("stale").isEqualTo(403);
        assertThat(check(verifier, fresh, "15559990000").status()).as("TN mismatch").isEqualTo(438);
        String[] parts = fresh.split("\\.", 3);
        String badSignature = parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
        assertThat(check(verifier, badSignature, ORIG).status()).as("bad signature").isEqualTo(438);
        TestPki.create(dir.resolve("other"), "9999", false);
        PassportVerifier otherRoot = verifier(List.of("127.0.0.0/8"), Pem.certificates(dir.resolve("other/ca-cert.pem")));
        assertThat(check(otherRoot, fresh, ORIG).status()).as("untrusted certificate").isEqualTo(437);
        PassportVerifier elsewhere = verifier(List.of("sti.example.org"), Pem.certificates(dir.resolve("ca.pem")));
        assertThat(check(elsewhere, fresh, ORIG).status()).as("x5u not allowed").isEqualTo(436);
    }

    @Test
    void sipdrillTokensPassSecsipidxCheck() throws Exception {
        Secsipidx.Result pub = Secsipidx.run(dir, "openssl", "x509", "-in", "sp.pem", "-pubkey", "-noout", "-out", "sp-pub.pem");
        assertThat(pub.exit()).isZero();
        PassportSigner signer = new PassportSigner(Pem.privateKey(dir.resolve("sp.key")), x5u);
        for (String level : List.of("A", "B", "C")) {
            String identity = signer.identity(level, "+1 555 123 0000", DEST, now());
            Secsipidx.Result r = Secsipidx.run(dir, "secsipidx", "-check", "-identity", identity, "-expire", "60", "-p", "sp-pub.pem");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).endsWith("ok");
        }
        // and secsipidx's check can fail: a token signed with another key
        TestPki.create(dir.resolve("stranger"), "1", false);
        String foreign = new PassportSigner(Pem.privateKey(dir.resolve("stranger/sp-key.pem")), x5u).identity("A", ORIG, DEST, now());
        Secsipidx.Result r = Secsipidx.run(dir, "secsipidx", "-check", "-identity", foreign, "-expire", "60", "-p", "sp-pub.pem");
        assertThat(r.exit()).isNotZero();
    }
}
