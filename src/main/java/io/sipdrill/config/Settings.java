package io.sipdrill.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every setting, read once from the layered configuration into immutable typed values. */
public record Settings(String lang, Sip sip, Run run, Answer answer, Transferee transferee, Redirect redirect) {

    public record Sip(String bindHost, int bindPort, String transport, String user, int threadPoolSize) { }

    public record Run(Duration defaultWithin, Duration scenarioTimeout, String reportDir, int maxRedirects,
                      List<String> redirectAllowedTargets) { }

    /** The redirect server: a status, its Contacts, and other Contacts per Request-URI user. */
    public record Redirect(int status, List<String> contacts, Map<String, List<String>> users) {
        public Redirect {
            if (status != 301 && status != 302 && status != 305 && status != 380) {
                throw new IllegalArgumentException("sipdrill.roles.redirect.status must be 301, 302, 305 or 380, not "
                        + status);
            }
        }
    }

    public Settings withRedirect(Redirect newRedirect) {
        return new Settings(lang, sip, run, answer, transferee, newRedirect);
    }

    public record Answer(int status, Map<String, Integer> userStatus, boolean ring) { }

    public record Transferee(int referResponse, int refusedTargetResponse, List<String> allowedTargets,
                             Duration transferredCallHold, int subscriptionExpires) { }

    public static Settings from(Config root) {
        Config c = root.getConfig("sipdrill");
        Config sip = c.getConfig("sip");
        Config run = c.getConfig("run");
        Config answer = c.getConfig("roles.answer");
        Config transferee = c.getConfig("roles.transferee");
        Config redirect = c.getConfig("roles.redirect");
        Map<String, List<String>> redirectUsers = new TreeMap<>();
        redirect.getConfig("users").root().keySet().forEach(user ->
                redirectUsers.put(user, List.copyOf(redirect.getConfig("users").getStringList("\"" + user + "\""))));
        Map<String, Integer> userStatus = new TreeMap<>();
        answer.getConfig("user-status").root().keySet()
                .forEach(user -> userStatus.put(user, answer.getConfig("user-status").getInt("\"" + user + "\"")));
        return new Settings(
                c.getString("lang"),
                new Sip(sip.getString("bind-host"), sip.getInt("bind-port"), sip.getString("transport"),
                        sip.getString("user"), sip.getInt("thread-pool-size")),
                new Run(run.getDuration("default-within"), run.getDuration("scenario-timeout"),
                        run.getString("report-dir"), run.getInt("max-redirects"),
                        List.copyOf(run.getStringList("redirect-allowed-targets"))),
                new Answer(answer.getInt("status"), Map.copyOf(userStatus), answer.getBoolean("ring")),
                new Transferee(transferee.getInt("refer-response"), transferee.getInt("refused-target-response"),
                        List.copyOf(transferee.getStringList("allowed-targets")),
                        transferee.getDuration("transferred-call-hold"), transferee.getInt("subscription-expires")),
                new Redirect(redirect.getInt("status"), List.copyOf(redirect.getStringList("contacts")),
                        Map.copyOf(redirectUsers)));
    }
}
