package io.sipdrill.stir;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A PASSporT (RFC 8225) with the SHAKEN extension (RFC 8588): its JOSE header, its claims, and
 * the compact form "header.claims.signature" (base64url, no padding) the Identity header carries.
 */
public record Passport(Map<String, Object> header, Map<String, Object> claims, String signingInput, byte[] signature) {
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** The signing input of a new SHAKEN PASSporT: deterministic JSON, base64url, joined by a dot. */
    static String signingInput(String x5u, String attest, String origTn, String destTn, long iat, String origId) {
        Map<String, Object> header = Map.of("alg", "ES256", "typ", "passport", "ppt", "shaken", "x5u", x5u);
        Map<String, Object> claims = Map.of("attest", attest, "orig", Map.of("tn", origTn),
                "dest", Map.of("tn", List.of(destTn)), "iat", iat, "origid", origId);
        return encode(Json.write(header)) + "." + encode(Json.write(claims));
    }

    private static String encode(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses the compact form; throws IllegalArgumentException saying what is malformed. */
    @SuppressWarnings("unchecked")
    static Passport parse(String compact) {
        String[] parts = compact.trim().split("\\.", -1);
        if (parts.length != 3) throw new IllegalArgumentException("the token is not header.claims.signature");
        try {
            Object header = Json.parse(new String(B64D.decode(parts[0]), StandardCharsets.UTF_8));
            Object claims = Json.parse(new String(B64D.decode(parts[1]), StandardCharsets.UTF_8));
            if (!(header instanceof Map) || !(claims instanceof Map)) {
                throw new IllegalArgumentException("header and claims must be JSON objects");
            }
            return new Passport((Map<String, Object>) header, (Map<String, Object>) claims,
                    parts[0] + "." + parts[1], B64D.decode(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed PASSporT: " + e.getMessage());
        }
    }

    public String headerString(String name) {
        return header.get(name) instanceof String s ? s : null;
    }

    public String attest() {
        return claims.get("attest") instanceof String s ? s : null;
    }

    /** orig.tn, a string. */
    public String origTn() {
        return claims.get("orig") instanceof Map<?, ?> m && m.get("tn") instanceof String s ? s : null;
    }

    /** dest.tn: an array of strings (RFC 8225), accepted as a lone string too. */
    public List<String> destTns() {
        if (!(claims.get("dest") instanceof Map<?, ?> m)) return List.of();
        Object tn = m.get("tn");
        if (tn instanceof String s) return List.of(s);
        if (tn instanceof List<?> l) return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        return List.of();
    }

    public Long iat() {
        return claims.get("iat") instanceof Long l ? l : claims.get("iat") instanceof Double d ? (Long) d.longValue() : null;
    }
}
