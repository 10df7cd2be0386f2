package io.sipdrill.roles;

import io.sipdrill.config.Settings;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.SipTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registrar (RFC 3261 10.3): keeps each address of record's Contacts in memory for the time it
 * grants, answers 200 listing them with their remaining expiry, 423 Interval Too Brief with
 * Min-Expires to a shorter request, removes a Contact registered with expires 0 (or all of them for
 * "Contact: *"), and can demand digest credentials first. Other requests are answered as the answer
 * role does.
 */
public final class RegistrarRole extends AnswerRole {
    private final Settings.Registrar settings;
    private final DigestChallenger challenger;
    /** Address of record -> Contact URI -> when it expires (ms since the epoch). */
    private final Map<String, Map<String, Long>> bindings = new ConcurrentHashMap<>();

    public RegistrarRole(Settings.Answer answer, Settings.Registrar settings) {
        super(answer);
        this.settings = settings;
        this.challenger = new DigestChallenger(settings.auth());
    }

    @Override
    protected String allow() { return ALLOW + ", REGISTER"; }

    @Override
    public void onRequest(ServerExchange request) {
        if (request.method().equals("REGISTER")) {
            register(request);
        } else {
            super.onRequest(request);
        }
    }

    /** The Contacts now bound to an address of record (for tests and the serve line). */
    public List<String> contacts(String aor) {
        long now = System.currentTimeMillis();
        List<String> out = new ArrayList<>();
        bindings.getOrDefault(aor, Map.of()).forEach((uri, until) -> { if (until > now) out.add(uri); });
        return out;
    }

    private void register(ServerExchange exchange) {
        SipMessageView request = exchange.request();
        if (challenger.on()) {
            DigestChallenger.Verdict v = challenger.check(request, 401);
            if (v != DigestChallenger.Verdict.ADMITTED) {
                count("registrar.register", "outcome", "challenged");
                // a wrong password is refused outright (403) rather than challenged forever
                exchange.respond(v == DigestChallenger.Verdict.REJECTED ? Reply.of(403).withReason("Forbidden (credentials rejected)")
                        : challenger.challenge(401, v == DigestChallenger.Verdict.STALE));
                return;
            }
        }
        String aor;
        try {
            aor = SipTarget.parse(request.header("To").orElse("")).uri().replaceFirst(";.*$", "");
        } catch (SipException e) {
            exchange.respond(Reply.of(400).withReason("Bad Request (To is not a sip: URI)"));
            return;
        }
        int headerExpires = request.header("Expires").map(String::trim).map(RegistrarRole::intOr).orElse(-1);
        List<String> contactValues = request.headers("Contact");
        Map<String, Long> mine = bindings.computeIfAbsent(aor, k -> new ConcurrentHashMap<>());
        List<SipTarget.Contact> contacts = new ArrayList<>();
        List<Integer> asked = new ArrayList<>();
        boolean all = contactValues.size() == 1 && contactValues.get(0).trim().equals("*");
        if (all) {
            if (headerExpires != 0) {
                exchange.respond(Reply.of(400).withReason("Bad Request (Contact: * needs Expires: 0)"));
                return;
            }
        } else {
            try {
                for (String value : contactValues) contacts.addAll(SipTarget.contacts(value));
            } catch (SipException e) {
                exchange.respond(Reply.of(400).withReason("Bad Request (Contact: " + e.getMessage() + ")"));
                return;
            }
            for (SipTarget.Contact c : contacts) {
                int a = c.expires() >= 0 ? c.expires() : headerExpires >= 0 ? headerExpires : settings.defaultExpires();
                if (a > 0 && a < settings.minExpires()) {
                    count("registrar.register", "outcome", "interval-too-brief");
                    exchange.respond(Reply.of(423).header("Min-Expires", Integer.toString(settings.minExpires())));
                    return;
                }
                asked.add(a);
            }
        }
        Reply ok = Reply.of(200);
        // one REGISTER's changes and the bindings its 200 lists are one step: another REGISTER for
        // the same address of record (a worker thread beside this one) waits
        synchronized (mine) {
            long now = System.currentTimeMillis();
            if (all) mine.clear();
            for (int i = 0; i < contacts.size(); i++) {
                if (asked.get(i) == 0) {
                    mine.remove(contacts.get(i).target().uri());
                } else {
                    mine.put(contacts.get(i).target().uri(), now + 1000L * Math.min(asked.get(i), settings.maxExpires()));
                }
            }
            mine.values().removeIf(until -> until <= now);
            for (var b : mine.entrySet()) {
                ok = ok.header("Contact", "<" + b.getKey() + ">;expires=" + Math.max(1, (b.getValue() - now + 500) / 1000));
            }
        }
        count("registrar.register", "outcome", "ok");
        exchange.respond(ok);
    }

    private static int intOr(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
