package io.sipdrill.stir;

/**
 * The outcome of verifying one Identity header: valid (status 0) with its attestation, or the
 * RFC 8224 error status and the check that decided it.
 */
public record Verification(int status, String reason, Passport passport) {
    public boolean valid() { return status == 0; }

    public String attest() { return passport == null ? null : passport.attest(); }
}
