package io.sipdrill.stir;

import io.sipdrill.config.Settings;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Builds the signer and the verifier from the settings, failing early on files that are not there. */
public final class Stir {
    private Stir() { }

    public static PassportVerifier verifier(Settings.Stir s) {
        List<X509Certificate> anchors = new ArrayList<>();
        for (String file : s.trustAnchors()) {
            try {
                anchors.addAll(Pem.certificates(Path.of(file)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sipdrill.stir.verify.trust-anchors: " + e.getMessage());
            }
        }
        CertificateFetcher fetcher = new CertificateFetcher(s.x5uAllowedHosts(), s.x5uTimeout(), s.x5uMaxBytes(), s.x5uCacheTtl());
        return new PassportVerifier(fetcher, anchors, s.maxAge(), Clock.systemUTC());
    }

    /** The signer, or null when no key is configured (scenarios that sign then fail with a clear error). */
    public static PassportSigner signer(Settings.Stir s) {
        if (s.privateKey().isBlank()) return null;
        if (s.x5u().isBlank()) {
            throw new IllegalArgumentException("sipdrill.stir.sign.x5u is not set: give the URL where verifiers fetch "
                    + "your certificate, or run with --http HOST:PORT to publish it from sipdrill");
        }
        try {
            return new PassportSigner(Pem.privateKey(Path.of(s.privateKey())), s.x5u());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sipdrill.stir.sign.private-key: " + e.getMessage());
        }
    }
}
