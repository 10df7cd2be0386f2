package io.sipdrill.stir;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A verification service (RFC 8224 section 6.2, RFC 8588): the cheap checks first (syntax, claims,
 * freshness, telephone numbers), then the certificate (fetched without blocking, chain checked
 * against the trust anchors), then the ES256 signature. Each failure carries its response code.
 */
public final class PassportVerifier {
    private final CertificateFetcher fetcher;
    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final Duration maxAge;
    private final Clock clock;
    /** Chains already validated, by x5u, until they or the cache entry expire. */
    private final Map<String, ValidChain> validated = new ConcurrentHashMap<>();

    /** A validated chain, with its leaf key already in Bouncy Castle's form (it keeps its precomputation). */
    private record ValidChain(List<X509Certificate> chain, java.security.PublicKey key, long untilMillis) { }

    private static final ThreadLocal<Signature> ES256 = ThreadLocal.withInitial(() -> {
        try {
            return Signature.getInstance("SHA256withPLAIN-ECDSA", Crypto.provider());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    public PassportVerifier(CertificateFetcher fetcher, List<X509Certificate> trustAnchors, Duration maxAge, Clock clock) {
        this.fetcher = fetcher;
        trustAnchors.forEach(c -> anchors.add(new TrustAnchor(c, null)));
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /**
     * @param callers the caller's user parts (From, P-Asserted-Identity): orig.tn must match one
     * @param callees the callee's user parts (Request-URI, To): dest.tn must contain one
     */
    public CompletableFuture<Verification> verify(String identity, List<String> callers, List<String> callees) {
        Passport p;
        String x5u;
        try {
            IdentityHeader header = IdentityHeader.parse(identity);
            p = Passport.parse(header.token());
            x5u = checkSyntax(header, p);
            checkClaims(p);
            checkFreshness(p);
            checkNumbers(p, callers, callees);
        } catch (StirFailure f) {
            return CompletableFuture.completedFuture(new Verification(f.status(), f.getMessage(), null));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Verification(438, e.getMessage(), null));
        }
        return chain(x5u).thenApply(chain -> {
            checkSignature(p, chain.key());
            return new Verification(0, "valid, attestation " + p.attest(), p);
        }).exceptionally(t -> {
            Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof StirFailure f) return new Verification(f.status(), f.getMessage(), p);
            return new Verification(436, "x5u " + x5u + ": " + cause, p);
        });
    }

    private String checkSyntax(IdentityHeader header, Passport p) {
        if (header.ppt() != null && !header.ppt().equals("shaken")) {
            throw new StirFailure(438, "ppt=" + header.ppt() + " is not supported (only shaken)");
        }
        if (header.alg() != null && !header.alg().equals("ES256")) {
            throw new StirFailure(437, "alg=" + header.alg() + " is not supported (only ES256)");
        }
        String alg = p.headerString("alg");
        if (!"ES256".equals(alg)) throw new StirFailure(437, "PASSporT alg " + alg + " is not supported (only ES256)");
        if (p.headerString("typ") != null && !"passport".equals(p.headerString("typ"))) {
            throw new StirFailure(438, "PASSporT typ is " + p.headerString("typ") + ", not passport");
        }
        if (!"shaken".equals(p.headerString("ppt"))) {
            throw new StirFailure(438, "PASSporT ppt is " + p.headerString("ppt") + ", not shaken");
        }
        String x5u = p.headerString("x5u");
        if (x5u == null || x5u.isBlank()) throw new StirFailure(436, "the PASSporT has no x5u");
        if (header.info() != null && !header.info().equals(x5u)) {
            throw new StirFailure(436, "info=<" + header.info() + "> does not match the PASSporT's x5u " + x5u);
        }
        return x5u;
    }

    private static void checkClaims(Passport p) {
        String attest = p.attest();
        if (attest == null || !List.of("A", "B", "C").contains(attest)) {
            throw new StirFailure(438, "attest is " + attest + ", not A, B or C");
        }
        if (p.origTn() == null) throw new StirFailure(438, "the PASSporT has no orig.tn");
        if (p.destTns().isEmpty()) throw new StirFailure(438, "the PASSporT has no dest.tn");
        if (p.iat() == null) throw new StirFailure(438, "the PASSporT has no iat");
        if (!(p.claims().get("origid") instanceof String)) throw new StirFailure(438, "the PASSporT has no origid");
    }

    private void checkFreshness(Passport p) {
        long now = clock.millis() / 1000;
        long age = now - p.iat();
        if (Math.abs(age) > maxAge.toSeconds()) {
            throw new StirFailure(403, "iat is " + (age > 0 ? age + " s old" : -age + " s in the future")
                    + ", more than the " + maxAge.toSeconds() + " s allowed");
        }
    }

    private static void checkNumbers(Passport p, List<String> callers, List<String> callees) {
        String orig = Tn.canonical(p.origTn());
        if (callers.stream().map(Tn::canonical).noneMatch(c -> c != null && c.equals(orig))) {
            throw new StirFailure(438, "orig.tn " + p.origTn() + " does not match the caller " + String.join(" / ", callers));
        }
        List<String> dests = p.destTns().stream().map(Tn::canonical).toList();
        if (callees.stream().map(Tn::canonical).noneMatch(c -> c != null && dests.contains(c))) {
            throw new StirFailure(438, "dest.tn " + p.destTns() + " does not match the callee " + String.join(" / ", callees));
        }
    }

    private CompletableFuture<ValidChain> chain(String x5u) {
        ValidChain known = validated.get(x5u);
        long now = clock.millis();
        if (known != null && now < known.untilMillis()) return CompletableFuture.completedFuture(known);
        return fetcher.fetch(x5u).thenApply(chain -> {
            validate(x5u, chain);
            long until = Math.min(now + Duration.ofMinutes(10).toMillis(), chain.get(0).getNotAfter().getTime());
            ValidChain valid = new ValidChain(chain, bcKey(chain.get(0)), until);
            validated.put(x5u, valid);
            return valid;
        });
    }

    private static java.security.PublicKey bcKey(X509Certificate leaf) {
        try {
            return java.security.KeyFactory.getInstance("EC", Crypto.provider())
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(leaf.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new StirFailure(437, "the certificate's key is not an EC key usable for ES256: " + e.getMessage());
        }
    }

    private void validate(String x5u, List<X509Certificate> chain) {
        if (anchors.isEmpty()) {
            throw new StirFailure(437, "no trust anchors configured (sipdrill.stir.verify.trust-anchors), so " + x5u
                    + " cannot be trusted");
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(new Date(clock.millis()));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        } catch (CertPathValidatorException e) {
            String why = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED ? "the certificate has expired"
                    : e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID ? "the certificate is not yet valid"
                    : "the certificate does not chain to a trust anchor (" + e.getMessage() + ")";
            throw new StirFailure(437, x5u + ": " + why);
        } catch (GeneralSecurityException e) {
            throw new StirFailure(437, x5u + ": the certificate chain cannot be checked: " + e.getMessage());
        }
    }

    private static void checkSignature(Passport p, java.security.PublicKey key) {
        try {
            Signature s = ES256.get();
            s.initVerify(key);
            s.update(p.signingInput().getBytes(StandardCharsets.US_ASCII));
            if (p.signature().length != 64 || !s.verify(p.signature())) {
                throw new StirFailure(438, "the signature does not verify with the certificate at " + p.headerString("x5u"));
            }
        } catch (GeneralSecurityException e) {
            throw new StirFailure(438, "the signature cannot be checked: " + e.getMessage());
        }
    }
}
