package io.sipdrill.engine;

import io.sipdrill.scenario.Step;

/**
 * The outcome of one step: what was expected, what arrived, and for a failure what it means and
 * how to fix it.
 */
public record Check(String where, String step, boolean passed, String expected, String actual,
                    String meaning, String fix, int code) {

    static Check pass(Step s, String expected, String actual) {
        return new Check(s.where(), s.describe(), true, expected, actual, null, null, 0);
    }

    /** The response code this check is about (a status that did not match), or 0. */
    public boolean aboutCode() {
        return code >= 100;
    }
}
