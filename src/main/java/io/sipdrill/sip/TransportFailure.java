package io.sipdrill.sip;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * Why a request could not be put on the wire, read from the exception chain the stack gave back:
 * mostly TLS (a certificate that is untrusted, expired or for another name; a peer that refused
 * the handshake) and connections that were refused or timed out.
 */
final class TransportFailure {
    private TransportFailure() { }

    static SipException of(String method, Exception e) {
        String all = chain(e);
        String lower = all.toLowerCase(Locale.ROOT);
        String what = "cannot send " + method + ": " + StackLeg.describe(e);
        if (lower.contains("tls peer certificate") && lower.contains("does not match")) {
            return new SipException(what, e,
                    "the TLS peer's certificate is valid but made out for another name than the host called,"
                            + " so it may be someone else's server (RFC 5922)",
                    "call the peer by a name its certificate lists, or have it use a certificate for the name you call");
        }
        if (lower.contains("expired on") || lower.contains("not valid until") || lower.contains("validity check failed")
                || lower.contains("certificateexpiredexception") || lower.contains("certificatenotyetvalid")) {
            return new SipException(what, e,
                    "the TLS peer's certificate has expired (or is not valid yet), so the connection was refused",
                    "have the peer renew its certificate; check this machine's clock if the dates look right");
        }
        if (lower.contains("pkix") || lower.contains("trust anchor") || lower.contains("certification path")) {
            return new SipException(what.replace("PKIX path", "certificate not trusted: PKIX path"), e,
                    "the TLS peer's certificate does not chain to a CA sipdrill trusts, so it is not trusted",
                    "add the CA that issued it to sipdrill.sip.tls.trust-anchors (a PEM file);"
                            + " in a lab only, sipdrill.sip.tls.insecure = true skips the check");
        }
        if (lower.contains("received fatal alert")) {
            return new SipException(what, e,
                    "the TLS peer ended the handshake: no TLS version or cipher suite in common, a certificate of"
                            + " sipdrill's it would not take, or none where it requires one",
                    "check the peer's TLS settings and log: sipdrill offers TLS 1.3 and 1.2 with ECDHE AEAD suites,"
                            + " and presents sipdrill.sip.tls.certificate when asked");
        }
        if (lower.contains("socket is closed")) {
            return new SipException(what, e,
                    "the connection was closed before the request could be sent: the peer closed it, or, over"
                            + " TLS, took the connection but did not finish the handshake within sipdrill.sip.tls.timeout",
                    "look in the peer's log for why it closed the connection; for TLS, check that the port speaks TLS"
                            + " and raise sipdrill.sip.tls.timeout for a slow path");
        }
        if (has(e, SocketTimeoutException.class) || lower.contains("handshake timed out")) {
            return new SipException(what, e,
                    "the peer did not accept the connection or finish the TLS handshake in time",
                    "check that the peer listens on that port and transport, and raise sipdrill.sip.tls.timeout for a slow path");
        }
        if (has(e, ConnectException.class) || lower.contains("connection refused")) {
            return new SipException(what, e, "nothing accepted a connection at that address and port",
                    "check the port and that the peer listens on TCP or TLS there (--transport)");
        }
        return new SipException(what, e);
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }
}
