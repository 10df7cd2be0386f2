package io.sipdrill.engine;

import io.sipdrill.scenario.Step;

/**
 * The outcome of one step: what was expected, what arrived, and for a failure what it means and
 * how to fix it.
 */
public record Check(String where, String step, boolean passed, String expected, String actual,
                    String meaning, String fix) {

    static Check pass(Step s, String expected, String actual) {
        return new Check(s.where(), s.describe(), true, expected, actual, null, null);
    }

    /** Multi-line text for consoles and JUnit failures. */
    public String explain() {
        StringBuilder b = new StringBuilder();
        b.append("expected: ").append(expected).append('\n');
        b.append("got:      ").append(actual).append('\n');
        if (meaning != null && !meaning.isBlank()) b.append("meaning:  ").append(meaning).append('\n');
        if (fix != null && !fix.isBlank()) b.append("fix:      ").append(fix).append('\n');
        return b.toString();
    }
}
