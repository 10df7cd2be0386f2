package io.sipdrill.catalogue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Right-to-left text in a terminal: each line starts with a right-to-left mark, and Latin runs
 * inside it (codes, RFC numbers, URIs, reason phrases) are isolated so the terminal's bidi
 * algorithm keeps their own order (Unicode UAX #9 isolates, LRI ... PDI).
 */
public final class Bidi {
    static final char RLM = '\u200F';
    static final char LRI = '\u2066';
    static final char PDI = '\u2069';
    /** A Latin run; it ends on a letter, digit or closing bracket only when it holds the opening one. */
    private static final Pattern LATIN_RUN = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9 .,:;/@=_+'\"<>\\-]|\\([A-Za-z0-9 .,:;/@=_+'\"<>\\-]*\\))*(?<![ .,:;'\"<-])");

    private Bidi() { }

    public static String forTerminal(String text, boolean rtl) {
        if (!rtl) return text;
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            if (line.isBlank()) {
                out.append(line);
                continue;
            }
            Matcher m = LATIN_RUN.matcher(line);
            StringBuilder l = new StringBuilder().append(RLM);
            int at = 0;
            while (m.find()) {
                l.append(line, at, m.start()).append(LRI).append(m.group()).append(PDI);
                at = m.end();
            }
            l.append(line.substring(at));
            out.append(l);
        }
        return out.toString();
    }
}
