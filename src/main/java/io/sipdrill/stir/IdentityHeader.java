package io.sipdrill.stir;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An Identity header value (RFC 8224 section 4): the token, then ;info=<x5u>;alg=...;ppt=... */
public record IdentityHeader(String token, Map<String, String> params) {

    public static IdentityHeader parse(String value) {
        String[] parts = value.trim().split(";");
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String name = (eq < 0 ? parts[i] : parts[i].substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "" : parts[i].substring(eq + 1).trim();
            if (v.startsWith("<") && v.endsWith(">")) v = v.substring(1, v.length() - 1);
            if (v.startsWith("\"") && v.endsWith("\"") && v.length() > 1) v = v.substring(1, v.length() - 1);
            params.put(name, v);
        }
        return new IdentityHeader(parts[0].trim(), Map.copyOf(params));
    }

    public String info() { return params.get("info"); }

    public String ppt() { return params.get("ppt"); }

    public String alg() { return params.get("alg"); }

    static String format(String token, String x5u) {
        return token + ";info=<" + x5u + ">;alg=ES256;ppt=shaken";
    }
}
