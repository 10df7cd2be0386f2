package io.sipdrill.engine;

import io.sipdrill.scenario.Step;

/**
 * The outcome of one step: what was expected, what arrived, and for a failure what it means and
 * how to fix it.
 */
public record Check(String where, String step, boolean passed, String expected, String actual,
                    String meaning, String fix, int code) {

    /** The code of a check that failed because nothing (or only a transaction timeout) arrived. */
    public static final int NO_ANSWER = -1;

    static Check pass(Step s, String expected, String actual) {
        return new Check(s.where(), s.describe(), true, expected, actual, null, null, 0);
    }

    /** The response code this check is about (a status that did not match), or 0. */
    public boolean aboutCode() {
        return code >= 100;
    }

    /** Failed because the peer sent nothing in time (or the transaction timed out or broke). */
    public boolean noAnswer() {
        return code == NO_ANSWER;
    }
}
