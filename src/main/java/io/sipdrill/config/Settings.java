package io.sipdrill.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every setting, read once from the layered configuration into immutable typed values. */
public record Settings(String lang, Sip sip, Run run, Answer answer, Transferee transferee, Redirect redirect,
                       Stir stir, SpamCallee spamCallee, B2bua b2bua, Registrar registrar) {

    /** A role's digest challenge (RFC 3261 22): off when realm is "". users: name -> password. */
    /** Digest challenges a role sends: challenge is 401 (as a UAS or registrar does) or 407 (as a proxy does). */
    public record Auth(String realm, Map<String, String> users, String algorithm, int challenge) {
        public Auth {
            if (!realm.isEmpty() && !io.sipdrill.sip.DigestAuth.supported(algorithm)) {
                throw new IllegalArgumentException("auth.algorithm must be MD5, SHA-256 or SHA-512-256, not " + algorithm);
            }
            if (challenge != 401 && challenge != 407) {
                throw new IllegalArgumentException("auth.challenge must be 401 or 407, not " + challenge);
            }
        }

        public Auth(String realm, Map<String, String> users, String algorithm) {
            this(realm, users, algorithm, 401);
        }

        public boolean on() { return !realm.isEmpty(); }

        static Auth from(Config c) {
            Map<String, String> users = new TreeMap<>();
            c.getConfig("users").root().keySet().forEach(u -> users.put(u, c.getConfig("users").getString("\"" + u + "\"")));
            return new Auth(c.getString("realm"), Map.copyOf(users), c.getString("algorithm"),
                    c.hasPath("challenge") ? c.getInt("challenge") : 401);
        }
    }

    /** The registrar: the registrations it grants, and its challenge. */
    public record Registrar(int minExpires, int maxExpires, int defaultExpires, Auth auth) {
        public Registrar {
            if (minExpires < 1 || maxExpires < minExpires || defaultExpires < minExpires || defaultExpires > maxExpires) {
                throw new IllegalArgumentException("sipdrill.roles.registrar: need 1 <= min-expires <= default-expires"
                        + " <= max-expires, got " + minExpires + ", " + defaultExpires + ", " + maxExpires);
            }
        }
    }

    /**
     * The agent's own SIP settings. tls holds PEM file names; outboundProxy, when not blank, is a
     * SIP URI every request that starts a call or a registration is sent through (a Route header).
     */
    public record Sip(String bindHost, int bindPort, String transport, String user, int threadPoolSize,
                      Tls tls, String outboundProxy) { }

    /** TLS keys and trust (sipdrill.sip.tls): see reference.conf. */
    public record Tls(String certificate, String privateKey, List<String> trustAnchors, boolean insecure,
                      java.time.Duration timeout) { }

    public record Run(Duration defaultWithin, Duration scenarioTimeout, String reportDir, int maxRedirects,
                      List<String> redirectAllowedTargets, Credentials credentials, boolean leanLoad) {
        public Run(Duration defaultWithin, Duration scenarioTimeout, String reportDir, int maxRedirects,
                   List<String> redirectAllowedTargets) {
            this(defaultWithin, scenarioTimeout, reportDir, maxRedirects, redirectAllowedTargets, Credentials.NONE, true);
        }
    }

    /**
     * Digest credentials a caller answers 401/407 with when the run gives none (--var username=...);
     * realm, when not blank, limits them to challenges naming that realm.
     */
    public record Credentials(String username, String password, String realm) {
        public static final Credentials NONE = new Credentials("", "", "");
    }

    /** The redirect server: a status, its Contacts, and other Contacts per Request-URI user. */
    public record Redirect(int status, List<String> contacts, Map<String, List<String>> users) {
        public Redirect {
            if (status != 301 && status != 302 && status != 305 && status != 380) {
                throw new IllegalArgumentException("sipdrill.roles.redirect.status must be 301, 302, 305 or 380, not "
                        + status);
            }
        }
    }

    public record Stir(String privateKey, String certificate, String x5u, List<String> x5uAllowedHosts,
                       Duration x5uTimeout, int x5uMaxBytes, Duration x5uCacheTtl, List<String> trustAnchors,
                       Duration maxAge) {
        public Stir withSigning(String key, String cert, String url) {
            return new Stir(key, cert, url, x5uAllowedHosts, x5uTimeout, x5uMaxBytes, x5uCacheTtl, trustAnchors, maxAge);
        }

        public Stir withTrustAnchors(List<String> anchors) {
            return new Stir(privateKey, certificate, x5u, x5uAllowedHosts, x5uTimeout, x5uMaxBytes, x5uCacheTtl, anchors, maxAge);
        }
    }

    /** The B2BUA: where B legs go, and how it treats redirects, transfers and identity at its edge. */
    public record B2bua(String target, Map<String, String> rules, List<String> allowedTargets, boolean recurse,
                        boolean referLocally, Duration answerTimeout, int refusedReferResponse, String stirInbound,
                        String stirOutbound, String attestation) {
        public B2bua {
            check("stir.inbound", stirInbound, List.of("verify", "pass", "drop"));
            check("stir.outbound", stirOutbound, List.of("sign", "pass", "drop"));
            check("stir.attestation", attestation, List.of("A", "B", "C"));
        }

        private static void check(String key, String value, List<String> allowed) {
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("sipdrill.roles.b2bua." + key + " must be one of "
                        + String.join(", ", allowed) + ", not " + value);
            }
        }

        public B2bua withRouting(String newTarget, Map<String, String> newRules) {
            return new B2bua(newTarget, newRules, allowedTargets, recurse, referLocally, answerTimeout,
                    refusedReferResponse, stirInbound, stirOutbound, attestation);
        }
    }

    /** Per attestation level (A, B, C) and "missing": 0 to answer, else the status to reject with. */
    public record SpamCallee(Map<String, Integer> policy, List<String> denyTns, List<String> allowTns) { }

    public Settings withRedirect(Redirect newRedirect) {
        return new Settings(lang, sip, run, answer, transferee, newRedirect, stir, spamCallee, b2bua, registrar);
    }

    public Settings withStir(Stir newStir) {
        return new Settings(lang, sip, run, answer, transferee, redirect, newStir, spamCallee, b2bua, registrar);
    }

    public Settings withRegistrar(Registrar newRegistrar) {
        return new Settings(lang, sip, run, answer, transferee, redirect, stir, spamCallee, b2bua, newRegistrar);
    }

    public Settings withB2bua(B2bua newB2bua) {
        return new Settings(lang, sip, run, answer, transferee, redirect, stir, spamCallee, newB2bua, registrar);
    }

    private static String choice(Config c, String key, List<String> allowed) {
        String v = c.getString(key);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException("sipdrill.roles.b2bua." + key + " must be one of "
                    + String.join(", ", allowed) + ", not " + v);
        }
        return v;
    }

    private static Map<String, Integer> policy(Config c) {
        Map<String, Integer> out = new TreeMap<>();
        for (String level : List.of("A", "B", "C", "missing")) {
            String v = c.getString(level);
            if (v.equals("answer")) {
                out.put(level, 0);
            } else if (List.of("607", "608", "403", "428").contains(v)) {
                out.put(level, Integer.parseInt(v));
            } else {
                throw new IllegalArgumentException("sipdrill.roles.spam-callee.policy." + level
                        + " must be answer, 607, 608, 403 or 428, not " + v);
            }
        }
        return Map.copyOf(out);
    }

    public record Answer(int status, Map<String, Integer> userStatus, boolean ring, Auth auth) {
        public Answer(int status, Map<String, Integer> userStatus, boolean ring) {
            this(status, userStatus, ring, new Auth("", Map.of(), "MD5"));
        }
    }

    public record Transferee(int referResponse, int refusedTargetResponse, List<String> allowedTargets,
                             Duration transferredCallHold, int subscriptionExpires) { }

    public static Settings from(Config root) {
        Config c = root.getConfig("sipdrill");
        Config sip = c.getConfig("sip");
        Config run = c.getConfig("run");
        Config answer = c.getConfig("roles.answer");
        Config transferee = c.getConfig("roles.transferee");
        Config redirect = c.getConfig("roles.redirect");
        Config sign = c.getConfig("stir.sign");
        Config verify = c.getConfig("stir.verify");
        Config spam = c.getConfig("roles.spam-callee");
        Config b2b = c.getConfig("roles.b2bua");
        Map<String, String> b2bRules = new TreeMap<>();
        b2b.getConfig("rules").root().keySet().forEach(user ->
                b2bRules.put(user, b2b.getConfig("rules").getString("\"" + user + "\"")));
        Map<String, List<String>> redirectUsers = new TreeMap<>();
        redirect.getConfig("users").root().keySet().forEach(user ->
                redirectUsers.put(user, List.copyOf(redirect.getConfig("users").getStringList("\"" + user + "\""))));
        Map<String, Integer> userStatus = new TreeMap<>();
        answer.getConfig("user-status").root().keySet()
                .forEach(user -> userStatus.put(user, answer.getConfig("user-status").getInt("\"" + user + "\"")));
        return new Settings(
                c.getString("lang"),
                new Sip(sip.getString("bind-host"), sip.getInt("bind-port"), sip.getString("transport"),
                        sip.getString("user"), sip.getInt("thread-pool-size"),
                        new Tls(sip.getString("tls.certificate"), sip.getString("tls.private-key"),
                                List.copyOf(sip.getStringList("tls.trust-anchors")), sip.getBoolean("tls.insecure"),
                                sip.getDuration("tls.timeout")),
                        sip.getString("outbound-proxy").strip()),
                new Run(run.getDuration("default-within"), run.getDuration("scenario-timeout"),
                        run.getString("report-dir"), run.getInt("max-redirects"),
                        List.copyOf(run.getStringList("redirect-allowed-targets")),
                        new Credentials(run.getString("credentials.username"), run.getString("credentials.password"),
                                run.getString("credentials.realm")),
                        run.getBoolean("lean-load")),
                new Answer(answer.getInt("status"), Map.copyOf(userStatus), answer.getBoolean("ring"),
                        Auth.from(answer.getConfig("auth"))),
                new Transferee(transferee.getInt("refer-response"), transferee.getInt("refused-target-response"),
                        List.copyOf(transferee.getStringList("allowed-targets")),
                        transferee.getDuration("transferred-call-hold"), transferee.getInt("subscription-expires")),
                new Redirect(redirect.getInt("status"), List.copyOf(redirect.getStringList("contacts")),
                        Map.copyOf(redirectUsers)),
                new Stir(sign.getString("private-key"), sign.getString("certificate"), sign.getString("x5u"),
                        List.copyOf(verify.getStringList("x5u-allowed-hosts")), verify.getDuration("x5u-timeout"),
                        verify.getInt("x5u-max-bytes"), verify.getDuration("x5u-cache-ttl"),
                        List.copyOf(verify.getStringList("trust-anchors")), verify.getDuration("max-age")),
                new SpamCallee(policy(spam.getConfig("policy")), List.copyOf(spam.getStringList("deny-tns")),
                        List.copyOf(spam.getStringList("allow-tns"))),
                new B2bua(b2b.getString("target"), Map.copyOf(b2bRules), List.copyOf(b2b.getStringList("allowed-targets")),
                        choice(b2b, "on-redirect", List.of("recurse", "relay")).equals("recurse"),
                        choice(b2b, "on-refer", List.of("local", "relay")).equals("local"),
                        b2b.getDuration("answer-timeout"), b2b.getInt("refused-refer-response"),
                        b2b.getString("stir.inbound"), b2b.getString("stir.outbound"), b2b.getString("stir.attestation")),
                new Registrar(c.getInt("roles.registrar.min-expires"), c.getInt("roles.registrar.max-expires"),
                        c.getInt("roles.registrar.default-expires"), Auth.from(c.getConfig("roles.registrar.auth"))));
    }
}
