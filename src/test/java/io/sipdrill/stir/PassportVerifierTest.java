package io.sipdrill.stir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each RFC 8224 verification outcome, with real certificates fetched over real HTTP on loopback. */
class PassportVerifierTest {
    static final String A = "+1 555 123 0000";
    static final String B = "15551240000";
    @TempDir
    static Path dir;
    static StirFixture pki;
    static PassportVerifier verifier;

    @BeforeAll
    static void start() throws Exception {
        pki = new StirFixture(dir.resolve("pki"));
        verifier = pki.verifier(pki.root, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        pki.close();
    }

    private static Verification verify(PassportVerifier v, String identity) throws Exception {
        return v.verify(identity, List.of("+15551230000"), List.of(B)).get(10, TimeUnit.SECONDS);
    }

    private static String sign(String attest) {
        return pki.signer.identity(attest, A, B, StirFixture.now());
    }

    @Test
    void aValidTokenVerifiesAtEachAttestation() throws Exception {
        for (String level : List.of("A", "B", "C")) {
            Verification v = verify(verifier, sign(level));
            assertThat(v.valid()).as(v.reason()).isTrue();
            assertThat(v.attest()).isEqualTo(level);
        }
    }

    @Test
    void theJsonIsDeterministicAndTheHeaderParamsMatch() {
        String identity = sign("A");
        IdentityHeader h = IdentityHeader.parse(identity);
        assertThat(h.info()).isEqualTo(pki.x5u);
        assertThat(h.alg()).isEqualTo("ES256");
        assertThat(h.ppt()).isEqualTo("shaken");
        String[] parts = h.token().split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(header).isEqualTo("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" + pki.x5u + "\"}");
        assertThat(claims).matches("\\{\"attest\":\"A\",\"dest\":\\{\"tn\":\\[\"15551240000\"]},\"iat\":\\d+,"
                + "\"orig\":\\{\"tn\":\"15551230000\"},\"origid\":\"[0-9a-f-]{36}\"}");
        assertThat(Base64.getUrlDecoder().decode(parts[2])).hasSize(64);
    }

    @Test
    void aTamperedTokenIs438() throws Exception {
        String identity = sign("C");
        String[] parts = identity.split("\\.", 3);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"C\"", "\"A\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        Verification v = verify(verifier, forged);
        assertThat(v.status()).isEqualTo(438);
        assertThat(v.reason()).contains("signature does not verify");
    }

    @Test
    void numbersThatDoNotMatchTheCallAre438() throws Exception {
        Verification v = verifier.verify(sign("A"), List.of("15559990000"), List.of(B)).get(10, TimeUnit.SECONDS);
        assertThat(v.status()).isEqualTo(438);
        assertThat(v.reason()).isEqualTo("orig.tn 15551230000 does not match the caller 15559990000");
        Verification d = verifier.verify(sign("A"), List.of("15551230000"), List.of("15550000000")).get(10, TimeUnit.SECONDS);
        assertThat(d.reason()).startsWith("dest.tn [15551240000] does not match the callee");
    }

    @Test
    void anOldOrFutureIatIsStale403() throws Exception {
        String old = pki.signer.identity("A", A, B, StirFixture.now() - 3600);
        assertThat(verify(verifier, old).status()).isEqualTo(403);
        assertThat(verify(verifier, old).reason()).contains("3600 s old");
        String future = pki.signer.identity("A", A, B, StirFixture.now() + 600);
        assertThat(verify(verifier, future).reason()).contains("in the future");
    }

    @Test
    void anUntrustedOrExpiredCertificateIs437(@TempDir Path other) throws Exception {
        try (StirFixture stranger = new StirFixture(other)) {
            String identity = stranger.signer.identity("A", A, B, StirFixture.now());
            Verification v = verify(verifier, identity);
            assertThat(v.status()).isEqualTo(437);
            assertThat(v.reason()).contains("does not chain to a trust anchor");
        }
        // the same certificate two years on: past its one-year validity
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(730)), ZoneOffset.UTC);
        PassportVerifier future = pki.verifier(pki.root, later);
        String identity = pki.signer.identity("A", A, B, later.millis() / 1000);
        assertThat(verify(future, identity).status()).isEqualTo(437);
        assertThat(verify(future, identity).reason()).contains("expired");
        assertThat(verify(pki.verifier(List.of(), Clock.systemUTC()), sign("A")).reason()).contains("no trust anchors");
    }

    @Test
    void x5uProblemsAre436() throws Exception {
        PassportVerifier onlyLocalhost = pki.verifier(pki.root, Clock.systemUTC(), List.of("localhost"), Duration.ofSeconds(2), 65536);
        Verification notAllowed = verify(onlyLocalhost, sign("A"));
        assertThat(notAllowed.status()).isEqualTo(436);
        assertThat(notAllowed.reason()).isEqualTo("x5u host 127.0.0.1 is not in sipdrill.stir.verify.x5u-allowed-hosts");

        PassportVerifier tiny = pki.verifier(pki.root, Clock.systemUTC(), List.of("127.0.0.1"), Duration.ofSeconds(2), 100);
        assertThat(verify(tiny, sign("A")).reason()).isEqualTo("x5u certificate is larger than the 100-byte limit");

        String token = IdentityHeader.parse(sign("A")).token();
        Verification mismatch = verify(verifier, token + ";info=<http://127.0.0.1:1/other.pem>;alg=ES256;ppt=shaken");
        assertThat(mismatch.status()).isEqualTo(436);
        assertThat(mismatch.reason()).contains("does not match the PASSporT's x5u");

        PassportSigner gone = new PassportSigner(Pem.privateKey(pki.dir.resolve("sp-key.pem")), "http://127.0.0.1:9/cert.pem");
        Verification unreachable = verify(verifier, gone.identity("A", A, B, StirFixture.now()));
        assertThat(unreachable.status()).isEqualTo(436);
        assertThat(unreachable.reason()).startsWith("x5u http://127.0.0.1:9/cert.pem is unreachable");
    }

    @Test
    void aSlowX5uGets436WithinTheTimeLimitWithoutHoldingUpOtherCalls() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept()); // accepts, never answers
                } catch (Exception closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            PassportVerifier v = pki.verifier(pki.root, Clock.systemUTC(), List.of("127.0.0.1"), Duration.ofMillis(500), 65536);
            PassportSigner slow = new PassportSigner(Pem.privateKey(pki.dir.resolve("sp-key.pem")),
                    "http://127.0.0.1:" + silent.getLocalPort() + "/cert.pem");
            CompletableFuture<Verification> stuck = v.verify(slow.identity("A", A, B, StirFixture.now()), List.of(A), List.of(B));
            // meanwhile a call with a reachable x5u is verified
            Verification other = v.verify(sign("B"), List.of(A), List.of(B)).get(5, TimeUnit.SECONDS);
            assertThat(other.valid()).isTrue();
            assertThat(stuck).isNotDone();
            Verification timedOut = stuck.get(5, TimeUnit.SECONDS);
            assertThat(timedOut.status()).isEqualTo(436);
            assertThat(timedOut.reason()).endsWith("did not answer within 500 ms");
        }
    }

    @Test
    void malformedTokensAre438AndUnsupportedAlgorithmsAre437() throws Exception {
        assertThat(verify(verifier, "not-a-token;info=<http://x/>").status()).isEqualTo(438);
        assertThat(verify(verifier, "a.b.c;info=<http://x/>").reason()).startsWith("malformed PASSporT");
        assertThat(verify(verifier, sign("A").replace("alg=ES256", "alg=RS256")).status()).isEqualTo(437);
    }

    @Test
    void telephoneNumbersAreCanonicalised() {
        assertThat(Tn.canonical("+1 (555) 123-0000")).isEqualTo("15551230000");
        assertThat(Tn.canonical("15551230000;user=phone")).isEqualTo("15551230000");
        assertThat(Tn.canonical("alice")).isNull();
    }

    @Test
    void theCertificateIsServedAndHealthAnswers() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var cert = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(pki.x5u)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(cert.statusCode()).isEqualTo(200);
        assertThat(cert.body()).isEqualTo(Files.readString(pki.dir.resolve("sp-cert.pem")));
        var health = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(pki.http.baseUrl() + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).isEqualTo("ok\n");
    }
}
