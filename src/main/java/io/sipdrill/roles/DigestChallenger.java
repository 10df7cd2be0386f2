package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.DigestAuth;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.SipMessageView;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server side of digest authentication (RFC 3261 22.1, RFC 8760) for a role: it challenges
 * with nonces of its own and admits a request whose credentials answer one of them for a known user
 * and password. A nonce older than five minutes gets a fresh challenge marked stale.
 */
final class DigestChallenger {
    private static final long NONCE_LIFETIME_MS = 5 * 60_000;
    private static final int MAX_NONCES = 50_000;
    private static final Pattern PARAM = Pattern.compile("([A-Za-z][A-Za-z0-9_-]*)\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,\\s]+)");

    private final Settings.Auth auth;
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();

    DigestChallenger(Settings.Auth auth) {
        this.auth = auth;
    }

    boolean on() { return auth.on(); }

    /** What a request lacking good credentials gets: its status (401 or 407), and why in a Warning-free form. */
    enum Verdict { ADMITTED, NO_CREDENTIALS, STALE, REJECTED }

    /** Checks the request's Authorization (401 style) or Proxy-Authorization (407 style) header. */
    Verdict check(SipMessageView request, int status) {
        List<String> values = request.headers(status == 407 ? "Proxy-Authorization" : "Authorization");
        if (values.isEmpty()) return Verdict.NO_CREDENTIALS;
        Verdict worst = Verdict.REJECTED;
        for (String value : values) {
            Verdict v = checkOne(request.method(), value);
            if (v == Verdict.ADMITTED) return v;
            if (v == Verdict.STALE) worst = v;
        }
        return worst;
    }

    private Verdict checkOne(String method, String value) {
        if (!value.regionMatches(true, 0, "Digest", 0, 6)) return Verdict.REJECTED;
        Map<String, String> p = params(value.substring(6));
        if (!auth.realm().equals(p.get("realm"))) return Verdict.REJECTED;
        String password = auth.users().get(p.getOrDefault("username", ""));
        String nonce = p.get("nonce");
        if (password == null || nonce == null || p.get("response") == null || p.get("uri") == null) return Verdict.REJECTED;
        Long issued = nonces.get(nonce);
        if (issued == null) return Verdict.STALE; // not ours, or forgotten: a new challenge, marked stale
        String qop = p.get("qop");
        int nc = 1;
        try {
            if (p.get("nc") != null) nc = Integer.parseInt(p.get("nc"), 16);
        } catch (NumberFormatException e) {
            return Verdict.REJECTED;
        }
        DigestAuth.Challenge c = new DigestAuth.Challenge("Digest", auth.realm(), nonce, p.get("opaque"),
                p.getOrDefault("algorithm", auth.algorithm()), qop == null ? List.of() : List.of(qop), false);
        if (!DigestAuth.supported(c.algorithm())) return Verdict.REJECTED;
        String expected;
        try {
            expected = params(DigestAuth.authorization(c, p.get("username"), password, method, p.get("uri"),
                    p.getOrDefault("cnonce", ""), nc).substring(6)).get("response");
        } catch (IllegalArgumentException e) {
            return Verdict.REJECTED;
        }
        if (!p.get("response").equalsIgnoreCase(expected)) return Verdict.REJECTED;
        return System.currentTimeMillis() - issued > NONCE_LIFETIME_MS ? Verdict.STALE : Verdict.ADMITTED;
    }

    /** A challenge with a new nonce: 401 with WWW-Authenticate, or 407 with Proxy-Authenticate. */
    Reply challenge(int status, boolean stale) {
        if (nonces.size() > MAX_NONCES) {
            long cutoff = System.currentTimeMillis() - NONCE_LIFETIME_MS;
            nonces.values().removeIf(t -> t < cutoff);
        }
        String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
        nonces.put(nonce, System.currentTimeMillis());
        String value = "Digest realm=\"" + auth.realm() + "\", nonce=\"" + nonce + "\", algorithm=" + auth.algorithm()
                + ", qop=\"auth\"" + (stale ? ", stale=true" : "");
        return Reply.of(status).header(status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate", value);
    }

    static Map<String, String> params(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
            String v = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(2);
            out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), v);
        }
        return out;
    }
}
