package io.sipdrill.sip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Recursive redirection for one call (RFC 3261 8.1.3.4, 16.6 step 7 as a UAC applies it): the
 * Contacts of every 3xx join one target set, tried highest q-value first, never the same URI twice;
 * a loop, a limit, an unusable Contact or an exhausted set ends the chain with a reason.
 */
public final class RedirectFollower {
    public sealed interface Decision { }

    /** Send the INVITE again, to this URI. */
    public record Retry(String uri) implements Decision { }

    /** The response stands as the call's outcome (2xx, 6xx, or a failure with no redirect involved). */
    public record Done() implements Decision { }

    /** The chain led nowhere. */
    public record Failed(String why, String fix) implements Decision { }

    private record Target(String uri, float q, int order) { }

    private final String original;
    private final String originalHost;
    private final int maxRedirects;
    private final TargetPolicy policy;
    private final List<String> path = new ArrayList<>();
    private final Set<String> tried = new HashSet<>();
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, String> outcomes = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private String loop;
    private int followed;
    private int order;

    public RedirectFollower(String original, String first, int maxRedirects, TargetPolicy policy) {
        this.original = original;
        this.originalHost = hostOf(original);
        this.maxRedirects = maxRedirects;
        this.policy = policy;
        sent(first);
    }

    public String original() { return original; }

    public List<String> path() { return List.copyOf(path); }

    public int followed() { return followed; }

    public String current() { return path.get(path.size() - 1); }

    public String pathText() { return String.join(" -> ", path); }

    public void sent(String uri) {
        path.add(uri);
        tried.add(key(uri));
    }

    /** What to do after the current INVITE got this final response. */
    public Decision onFinal(SipMessageView response) {
        int status = response.status();
        outcomes.put(current(), status + " " + response.reason());
        if (status < 300 || status >= 600) return new Done(); // 2xx answers; 6xx is definitive (RFC 3261 21.6)
        if (status >= 400) return followed == 0 ? new Done() : next();
        followed++;
        if (followed > maxRedirects) {
            return new Failed("redirect limit of " + maxRedirects + " reached: " + pathText(),
                    "check the redirect rules along the chain, or raise sipdrill.run.max-redirects if so long a chain is intended");
        }
        List<String> contacts = response.headers("Contact");
        if (contacts.isEmpty()) problems.add(status + " without Contact: nothing to retry");
        for (String value : contacts) {
            try {
                for (SipTarget.Contact c : SipTarget.contacts(value)) consider(status, c);
            } catch (SipException e) {
                problems.add("Contact " + value + ": " + e.getMessage() + "; not called");
            }
        }
        return next();
    }

    /** The current INVITE got no final response, or could not be sent. */
    public Decision onNoAnswer(String what) {
        outcomes.put(current(), what);
        return followed == 0 ? new Done() : next();
    }

    private void consider(int status, SipTarget.Contact c) {
        String uri = c.target().uri();
        if (!policy.allows(c.target().host()) && !c.target().host().equalsIgnoreCase(originalHost)) {
            problems.add("Contact " + uri + ": its host is not in sipdrill.run.redirect-allowed-targets; not called");
        } else if (key(uri).equals(key(current()))) {
            loop = status + " redirects to the URI it was sent to (" + uri + ")";
        } else if (tried.contains(key(uri))) {
            loop = "redirect loop: " + pathText() + " -> " + uri;
        } else if (targets.stream().noneMatch(t -> key(t.uri()).equals(key(uri)))) {
            targets.add(new Target(uri, c.q(), order++));
        }
    }

    private Decision next() {
        targets.sort(Comparator.comparingDouble((Target t) -> -t.q()).thenComparingInt(Target::order));
        while (!targets.isEmpty()) {
            Target t = targets.remove(0);
            if (!tried.contains(key(t.uri()))) return new Retry(t.uri());
        }
        if (loop != null) {
            return new Failed(loop, "the redirect server sends the call back to a URI already tried; fix its Contact rules");
        }
        if (!problems.isEmpty() && outcomes.size() <= 1) {
            return new Failed(String.join("; ", problems),
                    "the redirect server must return at least one sip: Contact that sipdrill may call");
        }
        List<String> results = new ArrayList<>();
        outcomes.forEach((uri, result) -> {
            if (!uri.equals(path.get(0))) results.add(uri + " (" + result + ")");
        });
        String also = problems.isEmpty() ? "" : "; " + String.join("; ", problems);
        return new Failed("redirect target set exhausted: " + String.join(", ", results) + also,
                "none of the Contacts the call was redirected to answered; check that they are registered and reachable");
    }

    /** URIs compare by user, host and port (5060 when absent), as a loop check needs. */
    private static String key(String uri) {
        try {
            SipTarget t = SipTarget.parse(uri);
            return (t.user() == null ? "" : t.user()) + "@" + t.host().toLowerCase(Locale.ROOT) + ":"
                    + (t.port() <= 0 ? 5060 : t.port());
        } catch (SipException e) {
            return uri;
        }
    }

    private static String hostOf(String uri) {
        try {
            return SipTarget.parse(uri).host();
        } catch (SipException e) {
            return "";
        }
    }
}
