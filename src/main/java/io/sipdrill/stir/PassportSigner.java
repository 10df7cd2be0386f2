package io.sipdrill.stir;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Set;
import java.util.UUID;

/**
 * An authentication service (RFC 8224 section 5) for test calls: signs SHAKEN PASSporTs with an
 * ES256 key at the attestation the scenario asks for, and formats the Identity header.
 */
public final class PassportSigner {
    private static final Set<String> LEVELS = Set.of("A", "B", "C");
    private final PrivateKey key;
    private final String x5u;

    public PassportSigner(PrivateKey key, String x5u) {
        if (!"EC".equals(key.getAlgorithm()) && !"ECDSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the signing key must be an EC P-256 key (ES256), not " + key.getAlgorithm());
        }
        this.key = key;
        this.x5u = x5u;
    }

    public String x5u() { return x5u; }

    /** The Identity header value for a call from origTn to destTn (canonicalised here). */
    public String identity(String attest, String origTn, String destTn, long iat) {
        if (!LEVELS.contains(attest)) throw new IllegalArgumentException("attestation must be A, B or C, not " + attest);
        String orig = Tn.canonical(origTn);
        String dest = Tn.canonical(destTn);
        if (orig == null) throw new IllegalArgumentException("the caller \"" + origTn + "\" is not a telephone number");
        if (dest == null) throw new IllegalArgumentException("the callee \"" + destTn + "\" is not a telephone number");
        String input = Passport.signingInput(x5u, attest, orig, dest, iat, UUID.randomUUID().toString());
        try {
            Signature s = Signature.getInstance("SHA256withPLAIN-ECDSA", Crypto.provider());
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return IdentityHeader.format(input + "." + Passport.B64.encodeToString(s.sign()), x5u);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }
}
