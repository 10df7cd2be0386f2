package io.sipdrill.sip;

/** A SIP operation that could not be done, with a message fit for the user. */
public class SipException extends RuntimeException {
    public SipException(String message) {
        super(message);
    }

    public SipException(String message, Throwable cause) {
        super(message, cause);
    }
}
