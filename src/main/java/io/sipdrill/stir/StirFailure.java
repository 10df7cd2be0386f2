package io.sipdrill.stir;

/** A verification that failed, with the RFC 8224 response code for it and why, in words. */
public final class StirFailure extends RuntimeException {
    private final int status;

    public StirFailure(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() { return status; }
}
