package io.sipdrill.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Digest authentication for SIP requests: reads a {@code WWW-Authenticate} or {@code Proxy-Authenticate}
 * challenge and builds the matching {@code Authorization} or {@code Proxy-Authorization} credentials.
 *
 * <p>Follows RFC 3261 section 22 and RFC 2617, with the SHA-256 and SHA-512-256 algorithms of RFC 7616 that
 * RFC 8760 brings to SIP. Only {@code qop=auth} (or no qop at all, the RFC 2069 form) is handled;
 * {@code auth-int} is not. Everything here works on strings and has no state.
 */
public final class DigestAuth {
    /** The algorithm names a challenge may carry (upper case, without "-sess"), mapped to JDK digest names. */
    private static final Map<String, String> DIGESTS = Map.of(
            "MD5", "MD5",
            "SHA-256", "SHA-256",
            "SHA-512-256", "SHA-512/256");
    private static final String SESS = "-SESS";

    private DigestAuth() { }

    /**
     * A parsed digest challenge.
     *
     * @param scheme    the scheme as written in the header (always "Digest" in some case)
     * @param realm     the protection realm
     * @param nonce     the server nonce
     * @param opaque    the opaque value to echo back, or null when the challenge has none
     * @param algorithm the algorithm named by the challenge, "MD5" when it names none
     * @param qop       the qop options offered, in order; empty when the challenge has no qop
     * @param stale     whether the server says the previous nonce was merely stale
     */
    public record Challenge(String scheme, String realm, String nonce, String opaque, String algorithm,
                            List<String> qop, boolean stale) {
        public Challenge {
            Objects.requireNonNull(realm, "realm");
            Objects.requireNonNull(nonce, "nonce");
            scheme = scheme == null ? "Digest" : scheme;
            algorithm = algorithm == null || algorithm.isBlank() ? "MD5" : algorithm;
            qop = qop == null ? List.of() : List.copyOf(qop);
        }

        /**
         * Reads the value of a {@code WWW-Authenticate} or {@code Proxy-Authenticate} header.
         * Parameter names are matched without regard to case; values may be quoted strings or tokens;
         * unknown parameters are ignored.
         *
         * @throws IllegalArgumentException if the value is not a digest challenge, is malformed,
         *                                  or lacks a realm or a nonce
         */
        public static Challenge parse(String headerValue) {
            if (headerValue == null) {
                throw new IllegalArgumentException("challenge is null");
            }
            String value = headerValue.strip();
            int end = 0;
            while (end < value.length() && !isSpace(value.charAt(end)) && value.charAt(end) != ',') {
                end++;
            }
            String scheme = value.substring(0, end);
            if (!scheme.equalsIgnoreCase("Digest")) {
                throw new IllegalArgumentException("not a Digest challenge: " + headerValue);
            }
            Map<String, String> params = parseParams(value, end, headerValue);
            String realm = params.get("realm");
            if (realm == null) {
                throw new IllegalArgumentException("challenge has no realm: " + headerValue);
            }
            String nonce = params.get("nonce");
            if (nonce == null || nonce.isEmpty()) {
                throw new IllegalArgumentException("challenge has no nonce: " + headerValue);
            }
            List<String> qop = new ArrayList<>();
            String qopValue = params.get("qop");
            if (qopValue != null) {
                for (String option : qopValue.split(",")) {
                    if (!option.isBlank()) {
                        qop.add(option.strip());
                    }
                }
            }
            boolean stale = "true".equalsIgnoreCase(params.get("stale"));
            return new Challenge(scheme, realm, nonce, params.get("opaque"), params.get("algorithm"), qop, stale);
        }
    }

    /**
     * Whether {@link #authorization} can answer a challenge naming this algorithm: MD5, SHA-256 and
     * SHA-512-256, each also in its "-sess" form, in any case.
     */
    public static boolean supported(String algorithm) {
        return algorithm != null && DIGESTS.containsKey(baseAlgorithm(algorithm));
    }

    /**
     * Builds the credentials answering a challenge, as the value of an {@code Authorization} or
     * {@code Proxy-Authorization} header (without the header name).
     *
     * <p>When the challenge offers {@code qop=auth} the answer uses it, with the given cnonce and nonce count;
     * when it offers no qop the older form without cnonce, nc and qop is used.
     *
     * @param c         the challenge being answered
     * @param username  the user name
     * @param password  the password
     * @param method    the request method, e.g. "REGISTER"
     * @param digestUri the request URI, as it will appear in the {@code uri} parameter
     * @param cnonce    the client nonce (see {@link #newCnonce()}); only used when a qop is in play
     * @param nc        how many times this nonce has been used, counting this request, from 1
     * @throws IllegalArgumentException if the algorithm is not supported, only {@code auth-int} is offered,
     *                                  or a "-sess" algorithm comes without any qop
     */
    public static String authorization(Challenge c, String username, String password, String method,
                                       String digestUri, String cnonce, int nc) {
        Objects.requireNonNull(c, "challenge");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(digestUri, "digestUri");
        if (!supported(c.algorithm())) {
            throw new IllegalArgumentException("unsupported digest algorithm: " + c.algorithm());
        }
        boolean useQop = false;
        if (!c.qop().isEmpty()) {
            useQop = c.qop().stream().anyMatch(q -> q.equalsIgnoreCase("auth"));
            if (!useQop) {
                if (c.qop().stream().anyMatch(q -> q.equalsIgnoreCase("auth-int"))) {
                    throw new IllegalArgumentException("only qop=auth-int offered, which sipdrill does not support");
                }
                throw new IllegalArgumentException("no supported qop offered: " + String.join(",", c.qop()));
            }
        }
        boolean sess = c.algorithm().toUpperCase(Locale.ROOT).endsWith(SESS);
        if (sess && !useQop) {
            // without qop no cnonce is sent, so the server could not rebuild the session key
            throw new IllegalArgumentException("algorithm " + c.algorithm() + " needs a qop, but the challenge offers none");
        }
        if (useQop) {
            Objects.requireNonNull(cnonce, "cnonce");
            if (nc < 1) {
                throw new IllegalArgumentException("nonce count must be at least 1: " + nc);
            }
        }
        String jdkName = DIGESTS.get(baseAlgorithm(c.algorithm()));
        String nonceCount = String.format("%08x", nc);

        String ha1 = hash(jdkName, username + ":" + c.realm() + ":" + password);
        if (sess) {
            ha1 = hash(jdkName, ha1 + ":" + c.nonce() + ":" + cnonce);
        }
        String ha2 = hash(jdkName, method + ":" + digestUri);
        String response = useQop
                ? hash(jdkName, ha1 + ":" + c.nonce() + ":" + nonceCount + ":" + cnonce + ":auth:" + ha2)
                : hash(jdkName, ha1 + ":" + c.nonce() + ":" + ha2);

        StringBuilder sb = new StringBuilder("Digest ");
        sb.append("username=").append(quote(username));
        sb.append(", realm=").append(quote(c.realm()));
        sb.append(", nonce=").append(quote(c.nonce()));
        sb.append(", uri=").append(quote(digestUri));
        sb.append(", response=").append(quote(response));
        sb.append(", algorithm=").append(c.algorithm());
        if (useQop) {
            sb.append(", cnonce=").append(quote(cnonce));
            sb.append(", qop=auth");
            sb.append(", nc=").append(nonceCount);
        }
        if (c.opaque() != null) {
            sb.append(", opaque=").append(quote(c.opaque()));
        }
        return sb.toString();
    }

    /** A fresh client nonce: 16 random lower-case hex characters. */
    public static String newCnonce() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    /** The algorithm name upper-cased and without its "-sess" suffix. */
    private static String baseAlgorithm(String algorithm) {
        String upper = algorithm.strip().toUpperCase(Locale.ROOT);
        return upper.endsWith(SESS) ? upper.substring(0, upper.length() - SESS.length()) : upper;
    }

    private static String hash(String jdkName, String text) {
        try {
            MessageDigest md = MessageDigest.getInstance(jdkName);
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jdkName, e);
        }
    }

    /** A quoted string, escaping backslashes and double quotes. */
    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    }

    /** Reads {@code name=value} pairs separated by commas; names are lower-cased, the first of a name wins. */
    private static Map<String, String> parseParams(String s, int start, String original) {
        Map<String, String> params = new HashMap<>();
        int i = start;
        int n = s.length();
        while (i < n) {
            char ch = s.charAt(i);
            if (isSpace(ch) || ch == ',') {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',' && !isSpace(s.charAt(i))) {
                i++;
            }
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("challenge parameter " + name + " has no value: " + original);
            }
            i++;
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            String value;
            if (i < n && s.charAt(i) == '"') {
                // quoted string, with backslash escapes
                StringBuilder sb = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char q = s.charAt(i++);
                    if (q == '\\' && i < n) {
                        sb.append(s.charAt(i++));
                    } else if (q == '"') {
                        closed = true;
                        break;
                    } else {
                        sb.append(q);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value for " + name + ": " + original);
                }
                value = sb.toString();
            } else {
                int valueStart = i;
                while (i < n && s.charAt(i) != ',' && !isSpace(s.charAt(i))) {
                    i++;
                }
                value = s.substring(valueStart, i);
            }
            params.putIfAbsent(name, value);
        }
        return params;
    }
}
