package io.sipdrill.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Response codes a step accepts: "200", "2xx", "4xx,5xx,6xx", "403,603". */
public record StatusPattern(List<String> alternatives) {
    static final Pattern SYNTAX = Pattern.compile("[1-6][0-9x][0-9x](\\s*,\\s*[1-6][0-9x][0-9x])*");

    public static boolean looksLike(String text) {
        return SYNTAX.matcher(text.trim()).matches();
    }

    public static StatusPattern parse(String text) {
        if (!looksLike(text)) throw new IllegalArgumentException(text);
        return new StatusPattern(Arrays.stream(text.split(",")).map(String::trim).toList());
    }

    public boolean matches(int status) {
        String code = Integer.toString(status);
        for (String alt : alternatives) {
            boolean ok = code.length() == 3;
            for (int i = 0; ok && i < 3; i++) {
                ok = alt.charAt(i) == 'x' || alt.charAt(i) == code.charAt(i);
            }
            if (ok) return true;
        }
        return false;
    }

    /** Whether a provisional response could satisfy this pattern (else 1xx are skipped). */
    public boolean acceptsProvisional() {
        return alternatives.stream().anyMatch(a -> a.charAt(0) == '1');
    }

    @Override
    public String toString() {
        return String.join(" or ", alternatives);
    }
}
