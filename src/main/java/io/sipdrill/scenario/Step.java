package io.sipdrill.scenario;

import java.util.List;
import java.util.Map;

/** A step of a scenario; every step knows its source line for verdicts and errors. */
public sealed interface Step {
    /** Where the step is written: "scenarios/refer/_refer.conf:9" for one taken from an include. */
    String where();

    int line();

    /** "send REFER", "expect 2xx to REFER", for verdicts and reports. */
    String describe();

    /** Sends a request: a new one (INVITE, OPTIONS) or, once a dialog exists, in the dialog. */
    record Send(String where, int line, String method, String to, String from, List<Map.Entry<String, String>> headers,
                String contentType, String body, Map<String, String> capture, boolean followRedirects,
                String sign) implements Step {
        public String describe() { return "send " + method; }
    }

    /**
     * Waits for a request (method != null) or a response (status != null, to request `of`).
     * `when` selects which message this step is about; `check` must then hold or the step fails.
     */
    record Expect(String where, int line, String method, StatusPattern status, String of, Conditions when,
                  Conditions check, String within, boolean optional, boolean repeat, Integer respond,
                  Map<String, String> capture, Explanation meaning, Explanation fix) implements Step {
        public String describe() {
            return method != null ? "expect " + method : "expect " + status + " to " + of;
        }

        public boolean isResponse() { return method == null; }
    }

    /** Asserts that no such message arrives for a while (e.g. no NOTIFY after Refer-Sub: false). */
    record ExpectNone(String where, int line, String method, StatusPattern status, String of, String during,
                      String meaning, String fix) implements Step {
        public String describe() {
            return "expect no " + (method != null ? method : status + " to " + of) + " during " + during;
        }
    }

    /**
     * A text for failures, chosen by what failed: timeout, status, headers, absent, sipfrag, body,
     * redirect (a redirect chain that led nowhere: loop, no Contact, exhausted targets);
     * "default" covers the kinds not named. A plain string in the file sets only the default.
     */
    record Explanation(Map<String, String> byKind) {
        public static final Explanation NONE = new Explanation(Map.of());
        public static final List<String> KINDS = List.of("default", "timeout", "status", "headers", "absent",
                "sipfrag", "body", "redirect");

        public String forKind(String kind) {
            return byKind.getOrDefault(kind, byKind.get("default"));
        }
    }

    /** Asserts something about a variable (a capture, the redirect path): equal to, or matching a regex. */
    record Check(String where, int line, String value, String equals, String matches, String meaning, String fix)
            implements Step {
        public String describe() { return "check " + value; }
    }

    /** Waits a while (keeps a call up, spaces two requests). */
    /**
     * Registers aor with the registrar (RFC 3261 10.2) and keeps the registration up, refreshing
     * it at half the granted time, until the scenario ends, when it unregisters (Expires: 0).
     */
    record Register(String where, int line, String registrar, String aor, String contact, String expires, String within)
            implements Step {
        public String describe() { return "register"; }
    }

    record Pause(String where, int line, String duration) implements Step {
        public String describe() { return "pause " + duration; }
    }

    /**
     * Conditions on a message: header values (full, case-insensitive regular expressions), headers
     * that must be absent, the status line of a message/sipfrag body, a body expression.
     */
    record Conditions(Map<String, String> headers, List<String> absent, StatusPattern sipfrag, String body) {
        public static final Conditions NONE = new Conditions(Map.of(), List.of(), null, null);

        public boolean isEmpty() {
            return headers.isEmpty() && absent.isEmpty() && sipfrag == null && body == null;
        }
    }
}
