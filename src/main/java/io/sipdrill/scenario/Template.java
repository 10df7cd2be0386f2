package io.sipdrill.scenario;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario text with {{variable}} references, expanded when a step runs (so captures and values
 * given with --var are seen). Distinct from HOCON's own ${...}, which is resolved at load time.
 */
public final class Template {
    static final Pattern REF = Pattern.compile("\\{\\{\\s*([A-Za-z][A-Za-z0-9_.-]*)\\s*}}");

    private Template() { }

    public static Set<String> references(String text) {
        Set<String> names = new LinkedHashSet<>();
        if (text == null) return names;
        Matcher m = REF.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** Expands every reference; an unknown one is an error naming it. */
    public static String expand(String text, Map<String, String> vars) {
        if (text == null) return null;
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) throw new IllegalArgumentException("variable {{" + m.group(1) + "}} has no value");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
