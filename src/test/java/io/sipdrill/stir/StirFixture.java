package io.sipdrill.stir;

import io.sipdrill.http.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A test PKI made by keys init, its certificate served over real HTTP on loopback. */
final class StirFixture implements AutoCloseable {
    final Path dir;
    final HttpServer http;
    final String x5u;
    final PassportSigner signer;
    final List<X509Certificate> root;

    StirFixture(Path dir) throws IOException {
        this.dir = dir;
        TestPki.create(dir, "1234", false);
        http = HttpServer.start("127.0.0.1", 0);
        x5u = http.publish("/certs/sp-cert.pem", "application/x-pem-file", Files.readAllBytes(dir.resolve("sp-cert.pem")));
        signer = new PassportSigner(Pem.privateKey(dir.resolve("sp-key.pem")), x5u);
        root = Pem.certificates(dir.resolve("ca-cert.pem"));
    }

    PassportVerifier verifier(List<X509Certificate> anchors, Clock clock) {
        return verifier(anchors, clock, List.of("127.0.0.0/8"), Duration.ofSeconds(2), 65536);
    }

    PassportVerifier verifier(List<X509Certificate> anchors, Clock clock, List<String> hosts, Duration timeout, int maxBytes) {
        return new PassportVerifier(new CertificateFetcher(hosts, timeout, maxBytes, Duration.ofHours(1)), anchors,
                Duration.ofSeconds(60), clock);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Override
    public void close() {
        http.close();
    }
}
