package io.sipdrill.sip;

/**
 * A SIP operation that could not be done, with a message fit for the user; when the cause is known
 * well enough (a TLS peer's certificate, say), also what it means and how to fix it.
 */
public class SipException extends RuntimeException {
    private final String meaning;
    private final String fix;

    public SipException(String message) {
        this(message, null, null, null);
    }

    public SipException(String message, Throwable cause) {
        this(message, cause, null, null);
    }

    public SipException(String message, Throwable cause, String meaning, String fix) {
        super(message, cause);
        this.meaning = meaning;
        this.fix = fix;
    }

    /** What the failure means, or null when only the message is known. */
    public String meaning() { return meaning; }

    /** How to fix it, or null. */
    public String fix() { return fix; }
}
