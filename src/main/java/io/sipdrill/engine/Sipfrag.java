package io.sipdrill.engine;

import io.sipdrill.sip.SipMessageView;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The status line carried in a message/sipfrag body (RFC 3420), as REFER NOTIFYs use it. */
final class Sipfrag {
    private static final Pattern STATUS_LINE = Pattern.compile("^SIP/2\\.0 ([1-6]\\d\\d)( [^\\r\\n]*)?");

    private Sipfrag() { }

    /** "486 Busy Here", or null when the body does not start with a status line. */
    static String statusLine(SipMessageView m) {
        Matcher matcher = STATUS_LINE.matcher(m.body() == null ? "" : m.body().stripLeading());
        return matcher.find() ? (matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2))).trim() : null;
    }

    static int status(SipMessageView m) {
        String line = statusLine(m);
        return line == null ? -1 : Integer.parseInt(line.substring(0, 3));
    }
}
