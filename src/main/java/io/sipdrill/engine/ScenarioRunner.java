package io.sipdrill.engine;

import io.sipdrill.config.Settings;
import io.sipdrill.scenario.Durations;
import io.sipdrill.scenario.Scenario;
import io.sipdrill.scenario.StatusPattern;
import io.sipdrill.scenario.Step;
import io.sipdrill.scenario.Template;
import io.sipdrill.sip.Leg;
import io.sipdrill.sip.LegListener;
import io.sipdrill.sip.OutgoingRequest;
import io.sipdrill.sip.Reply;
import io.sipdrill.sip.ServerExchange;
import io.sipdrill.sip.Endpoint;
import io.sipdrill.sip.SipException;
import io.sipdrill.sip.SipMessageView;
import io.sipdrill.sip.Sdp;
import io.sipdrill.sip.TargetPolicy;
import io.sipdrill.sip.DigestAuth;
import io.sipdrill.sip.RedirectFollower;
import io.sipdrill.sip.SipTarget;
import io.sipdrill.sip.WireMessage;
import io.sipdrill.stir.PassportSigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Plays one scenario on an agent and returns its verdict. Messages may arrive in any order the
 * RFCs allow: whatever no step is waiting for yet is kept until one is, and requests from the peer
 * are answered the moment they arrive, so a NOTIFY that overtakes its 202 is fine.
 */
public final class ScenarioRunner {
    private final Endpoint agent;
    private final Duration defaultWithin;
    private final Duration scenarioTimeout;
    private final int maxRedirects;
    private final TargetPolicy redirectPolicy;
    /** Header and body expressions, compiled once per distinct text (load mode evaluates them per call). */
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    private Pattern pattern(String regex, int flags) {
        return patterns.computeIfAbsent(flags + "/" + regex, k -> Pattern.compile(regex, flags));
    }

    /** 301 Moved Permanently may be remembered for the rest of the run (RFC 3261 21.3.2); 302 never (21.3.3). */
    private final Map<String, String> permanent = new ConcurrentHashMap<>();

    private final PassportSigner signer;
    private final Settings.Credentials credentials;

    /** @param signer signs calls whose step says sign = A, B or C; null when no key is configured */
    public ScenarioRunner(Endpoint agent, Settings.Run run, PassportSigner signer) {
        this.agent = agent;
        this.signer = signer;
        this.defaultWithin = run.defaultWithin();
        this.scenarioTimeout = run.scenarioTimeout();
        this.maxRedirects = run.maxRedirects();
        this.redirectPolicy = new TargetPolicy(run.redirectAllowedTargets());
        this.credentials = run.credentials();
    }

    /** Thrown for a variable value that makes a step impossible to play (bad input: exit 2). */
    public static final class BadVariable extends RuntimeException {
        public BadVariable(String message) {
            super(message);
        }
    }

    /**
     * @param overrides values for declared variables (--var, demo); each may use {{other}} variables
     */
    public ScenarioResult run(Scenario scenario, Map<String, String> overrides) {
        return new Play(scenario, overrides, true).play();
    }

    /**
     * One of many concurrent plays on a shared agent (load mode): no message trace is kept and the
     * agent's handler for out-of-dialog requests is left alone.
     */
    public ScenarioResult runConcurrently(Scenario scenario, Map<String, String> overrides) {
        return new Play(scenario, overrides, false).play();
    }

    private final class Play implements LegListener {
        private final Scenario scenario;
        private final Map<String, String> vars = new ConcurrentHashMap<>();
        private final BlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
        private final List<Inbound> pending = new ArrayList<>();
        private final List<Check> checks = new ArrayList<>();
        private final List<WireMessage> trace = new CopyOnWriteArrayList<>();
        private final List<Leg> legs = new ArrayList<>();
        private final Map<String, Long> lastCseq = new HashMap<>();
        private final java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        private final long started = System.nanoTime();
        private final long deadline = started + scenarioTimeout.toNanos();
        private volatile int current;
        private Leg leg;
        /** Per method: credentials sent for the request now pending (0 or 1), and what answered them. */
        private final Map<String, Integer> authTries = new HashMap<>();
        private final Map<Long, Integer> rejectedAfterAuth = new HashMap<>();
        /** Challenges left unanswered because they named another realm than the credentials', by CSeq. */
        private final Map<Long, String> otherRealm = new HashMap<>();
        /** Which leg sent the pending request of each method (a registration has a leg of its own). */
        private final Map<String, Leg> sentOn = new HashMap<>();
        /** The registration kept up by a register step: its leg, step, and when to refresh it. */
        private Leg registration;
        private Step.Register registered;
        private long refreshAt = Long.MAX_VALUE;
        private boolean refreshing;
        /** The redirect chain of the INVITE now pending, when its step follows redirects. */
        private RedirectFollower redirects;

        private final boolean exclusive;
        /** Response times by the method answered, in microseconds from the request to its awaited response. */
        private final Map<String, List<Long>> responseMicros = new HashMap<>();
        private long lastSend;

        Play(Scenario scenario, Map<String, String> overrides, boolean exclusive) {
            this.scenario = scenario;
            this.exclusive = exclusive;
            vars.put("local", agent.hostPort());
            vars.put("local-ip", agent.host());
            vars.put("local-port", Integer.toString(agent.port()));
            vars.put("transport", agent.transport());
            vars.put("sdp", Sdp.audio(agent.host(), 40010));
            vars.put("call-id", "");
            vars.put("last-cseq", "");
            for (String v : List.of("redirect-path", "redirect-count", "redirect-first", "answered-by", "redirect-error",
                    "registered-expires", "registered-contact")) {
                vars.put(v, "");
            }
            vars.put("username", credentials.username());
            vars.put("password", credentials.password());
            vars.put("realm", credentials.realm());
            Map<String, String> unresolved = new java.util.LinkedHashMap<>(scenario.vars());
            // a scenario's empty default for a credential does not hide the configured one
            for (String c : List.of("username", "password", "realm")) {
                if (unresolved.getOrDefault(c, "x").isEmpty() && !vars.get(c).isEmpty()) unresolved.remove(c);
            }
            unresolved.putAll(overrides);
            resolveAll(unresolved);
        }

        /** Expands variables that use other variables, in whatever order their references allow. */
        private void resolveAll(Map<String, String> unresolved) {
            while (!unresolved.isEmpty()) {
                boolean progress = false;
                for (var it = unresolved.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    boolean ready = Template.references(e.getValue()).stream()
                            .allMatch(ref -> vars.containsKey(ref) && !unresolved.containsKey(ref));
                    if (ready) {
                        vars.put(e.getKey(), Template.expand(e.getValue(), vars));
                        it.remove();
                        progress = true;
                    }
                }
                if (!progress) {
                    var e = unresolved.entrySet().iterator().next();
                    throw new BadVariable("variable " + e.getKey() + " = \"" + e.getValue()
                            + "\" uses a variable that has no value or refers back to it");
                }
            }
        }

        ScenarioResult play() {
            Consumer<WireMessage> recorder = trace::add;
            if (exclusive) {
                agent.addObserver(recorder);
                agent.onRequest(this::outOfDialog);
            }
            try {
                List<Step> steps = scenario.steps();
                int i = 0;
                while (i < steps.size() && allPassed()) {
                    current = i;
                    Step step = steps.get(i);
                    if (step instanceof Step.Expect e && e.optional()) {
                        List<Step.Expect> optionals = new ArrayList<>();
                        int k = i;
                        while (k < steps.size() && steps.get(k) instanceof Step.Expect o && o.optional()) {
                            optionals.add(o);
                            k++;
                        }
                        if (k < steps.size() && steps.get(k) instanceof Step.Expect anchor) {
                            current = k;
                            expect(anchor, optionals);
                            i = k + 1;
                        } else {
                            drainOptionals(optionals);
                            i = k;
                        }
                        continue;
                    }
                    execute(step);
                    i++;
                }
            } finally {
                cleanUp();
                for (Leg l : legs) l.release();
                if (exclusive) {
                    awaitTrace();
                    agent.removeObserver(recorder);
                }
            }
            return new ScenarioResult(scenario.name(), scenario.file(), scenario.asserts(), scenario.source(),
                    vars.getOrDefault("target", ""), List.copyOf(checks),
                    Duration.ofNanos(System.nanoTime() - started), WireMessage.inWireOrder(trace), Map.copyOf(responseMicros));
        }

        /**
         * The stack logs a received message on its own thread, possibly after handing it to us:
         * wait (briefly, bounded) until everything delivered is also in the trace.
         */
        private void awaitTrace() {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (trace.stream().filter(w -> !w.sent()).count() < delivered.get() && System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        private boolean allPassed() {
            return checks.stream().allMatch(Check::passed);
        }

        private void execute(Step step) {
            if (step instanceof Step.Send s) {
                send(s);
            } else if (step instanceof Step.Expect e) {
                expect(e, new ArrayList<>());
            } else if (step instanceof Step.ExpectNone n) {
                expectNone(n);
            } else if (step instanceof Step.Check c) {
                check(c);
            } else if (step instanceof Step.Register r) {
                register(r);
            } else if (step instanceof Step.Pause p) {
                waitUntil(System.nanoTime() + duration(p.duration(), p.line()).toNanos(), ev -> false);
                checks.add(Check.pass(p, "a pause", "done"));
            }
        }

        // ---- send -------------------------------------------------------------------------

        private void send(Step.Send s) {
            OutgoingRequest request;
            String to = expand(s.to(), s.line());
            if (to != null || leg == null) {
                if (to == null) {
                    fail(s, "a target for " + s.method(), "no dialog and no to = ...",
                            "the first request of a call needs a target", "add to = \"{{target}}\" to this step");
                    return;
                }
                leg = agent.newLeg(this);
                legs.add(leg);
                String first = to;
                redirects = null;
                if (s.followRedirects()) {
                    first = permanent.getOrDefault(to, to);
                    redirects = new RedirectFollower(to, first, maxRedirects, redirectPolicy);
                    publishRedirects("");
                }
                request = OutgoingRequest.outOfDialog(s.method(), first, expand(s.from(), s.line()), to);
            } else {
                request = OutgoingRequest.inDialog(s.method());
            }
            if (s.sign() != null) request = sign(s, request, to);
            for (var h : s.headers()) request = request.header(h.getKey(), expand(h.getValue(), s.line()));
            String body = expand(s.body(), s.line());
            if (body != null) request = request.withBody(expand(s.contentType(), s.line()), body);
            try {
                lastSend = System.nanoTime();
                long cseq = leg.send(request);
                authTries.remove(s.method());
                sentOn.put(s.method(), leg);
                lastCseq.put(s.method(), cseq);
                vars.put("last-cseq", Long.toString(cseq));
                vars.put("call-id", leg.callId());
                for (var c : s.capture().entrySet()) {
                    vars.put(c.getKey(), c.getValue().equals("cseq") ? Long.toString(cseq) : leg.callId());
                }
                checks.add(Check.pass(s, "send " + s.method(), "sent"));
            } catch (SipException e) {
                fail(s, s.method() + " sent", "could not send: " + e.getMessage(),
                        e.meaning() != null ? e.meaning() : "sipdrill could not put the request on the wire",
                        e.fix() != null ? e.fix()
                                : "check the target URI and that the transport (--transport) is the one the peer listens on");
            }
        }

        /** Adds an Identity header (RFC 8224) at the step's attestation; "none" sends the call unsigned. */
        private OutgoingRequest sign(Step.Send s, OutgoingRequest request, String to) {
            String attest = expand(s.sign(), s.line()).trim();
            if (attest.isEmpty() || attest.equalsIgnoreCase("none")) return request;
            if (signer == null) {
                throw new BadVariable(s.where() + ": this call is to be signed (sign = " + attest + ") but no key is set: "
                        + "set sipdrill.stir.sign.private-key and .certificate (./sipdrill keys init DIR makes them) and "
                        + "run with --http HOST:PORT, or set sipdrill.stir.sign.x5u");
            }
            String from = request.from() != null ? request.from() : agent.uri(null);
            try {
                String identity = signer.identity(attest, userOf(from), userOf(to), System.currentTimeMillis() / 1000);
                return request.header("Identity", identity);
            } catch (IllegalArgumentException e) {
                throw new BadVariable(s.where() + ": cannot sign this call: " + e.getMessage()
                        + " (the From and the target need telephone numbers as users, e.g. sip:+15551230000@host)");
            }
        }

        private String userOf(String uri) {
            try {
                String user = io.sipdrill.sip.SipTarget.parse(uri).user();
                return user == null ? "" : user;
            } catch (SipException e) {
                return uri;
            }
        }

        // ---- expect -------------------------------------------------------------------------

        private void expect(Step.Expect step, List<Step.Expect> optionals) {
            Duration within = step.within() == null ? defaultWithin : duration(step.within(), step.line());
            long[] waitUntil = {System.nanoTime() + within.toNanos()};
            long stepStart = System.nanoTime();
            List<String> skipped = new ArrayList<>();
            Inbound[] selected = {null};
            boolean arrived = waitUntil(waitUntil, ev -> {
                for (Step.Expect o : new ArrayList<>(optionals)) {
                    if (selects(o, ev)) {
                        Check c = evaluate(o, ev);
                        checks.add(c);
                        if (!c.passed()) return true;
                        if (!o.repeat()) optionals.remove(o);
                        skipped.add(Inbound.describe(ev));
                        waitUntil[0] = System.nanoTime() + within.toNanos(); // progress restarts the clock
                        return false;
                    }
                }
                if (selects(step, ev)) {
                    selected[0] = ev;
                    return true;
                }
                if (step.isResponse() && ev instanceof Inbound.Timeout t && t.method().equals(step.of())) {
                    selected[0] = ev;
                    return true;
                }
                if (step.isResponse() && ev instanceof Inbound.TransportError t && t.method().equals(step.of())) {
                    selected[0] = ev;
                    return true;
                }
                if (step.isResponse() && ev instanceof Inbound.RedirectFailed && step.of().equals("INVITE")) {
                    selected[0] = ev;
                    return true;
                }
                return false;
            });
            if (!allPassed()) return; // an optional step's check failed
            String expected = expectation(step, within);
            if (!arrived || selected[0] == null) {
                String actual = "nothing" + (skipped.isEmpty() ? "" : " after " + String.join(", ", skipped))
                        + otherArrivals(stepStart);
                if (System.nanoTime() >= deadline) actual += " (scenario timeout " + scenarioTimeout.toSeconds() + "s reached)";
                String meaning = step.meaning().forKind("timeout");
                String fix = step.fix().forKind("timeout");
                fail(step, expected, actual,
                        meaning != null ? text(meaning, actual, null, within) : step.isResponse()
                                ? "the peer sent no final response to " + step.of() + " within " + human(within)
                                : "the peer did not send " + step.method() + " within " + human(within),
                        fix != null ? text(fix, actual, null, within)
                                : "check the target's address, port and transport, that it is up, and the network path",
                        Check.NO_ANSWER);
                return;
            }
            Inbound ev = selected[0];
            if (ev instanceof Inbound.RedirectFailed f) {
                String actual = Inbound.describe(f);
                if (step.status().matches(f.last().status())) {
                    for (var c : step.capture().entrySet()) vars.put(c.getKey(), capture(c.getValue(), f.last()));
                    checks.add(Check.pass(step, expected, actual));
                } else {
                    String meaning = step.meaning().forKind("redirect");
                    String fix = step.fix().forKind("redirect");
                    fail(step, expected, actual, meaning != null ? text(meaning, actual, f.last(), within) : f.why(),
                            fix != null ? text(fix, actual, f.last(), within) : f.fix(), f.last().status());
                }
                return;
            }
            if (ev instanceof Inbound.Timeout || ev instanceof Inbound.TransportError) {
                String actual = Inbound.describe(ev);
                String meaning = step.meaning().forKind("timeout");
                String fix = step.fix().forKind("timeout");
                boolean dropped = ev instanceof Inbound.TransportError;
                fail(step, expected, actual,
                        meaning != null ? text(meaning, actual, null, within) : dropped
                                ? "the connection that carried " + step.of() + " failed before any final response, so none can come"
                                : "the peer never answered " + step.of() + " (RFC 3261 17.1: timer B/F fired)",
                        fix != null ? text(fix, actual, null, within) : dropped
                                ? "look in the peer's log for why it closed the connection: a TLS or message size limit, a"
                                        + " malformed request, or a connection limit; UDP avoids the connection if the peer allows it"
                                : "check that the target address, port and transport are right and that the peer is up",
                        Check.NO_ANSWER);
                return;
            }
            if (step.isResponse()) {
                responseMicros.computeIfAbsent(step.of(), k -> new ArrayList<>()).add((ev.nanos() - lastSend) / 1000);
            }
            checks.add(evaluate(step, ev));
        }

        private void drainOptionals(List<Step.Expect> optionals) {
            for (Inbound ev : new ArrayList<>(pending)) {
                for (Step.Expect o : optionals) {
                    if (selects(o, ev)) {
                        pending.remove(ev);
                        checks.add(evaluate(o, ev));
                        break;
                    }
                }
            }
        }

        private String expectation(Step.Expect step, Duration within) {
            String what = step.isResponse() ? step.status() + " to " + step.of() : step.method();
            return what + " within " + human(within);
        }

        private String otherArrivals(long since) {
            List<String> others = new ArrayList<>();
            for (Inbound ev : pending) {
                if (ev.nanos() >= since) others.add(Inbound.describe(ev));
            }
            return others.isEmpty() ? "" : " (meanwhile: " + String.join(", ", others) + ")";
        }

        private boolean selects(Step.Expect step, Inbound ev) {
            if (step.isResponse()) {
                if (!(ev instanceof Inbound.Response r)) return false;
                SipMessageView m = r.message();
                if (!m.cseqMethod().equals(step.of())) return false;
                Long cseq = lastCseq.get(step.of());
                if (cseq != null && m.cseqNumber() != cseq) return false;
                if (m.status() < 200 && !step.status().matches(m.status())) return false; // 1xx are optional
                return conditionsHold(step.when(), m, step.line()) == null;
            }
            if (!(ev instanceof Inbound.Request r)) return false;
            return r.message().method().equals(step.method()) && conditionsHold(step.when(), r.message(), step.line()) == null;
        }

        private Check evaluate(Step.Expect step, Inbound ev) {
            SipMessageView m = ev instanceof Inbound.Request r ? r.message() : ((Inbound.Response) ev).message();
            String expected = step.isResponse() ? step.status() + " to " + step.of() : step.method();
            String actual = Inbound.describe(ev);
            if (step.isResponse() && !step.status().matches(m.status())) {
                Integer rejected = rejectedAfterAuth.get(m.cseqNumber());
                // more telling than a scenario's general meaning for an unexpected status
                if (rejected != null && rejected == m.status()) {
                    return new Check(step.where(), step.describe(), false, expected,
                            m.status() + " after authenticating: credentials rejected (" + actual + ")",
                            "the peer challenged " + m.cseqMethod() + ", sipdrill answered with the credentials "
                                    + "it was given as " + vars.getOrDefault("username", "") + ", and the peer refused them",
                            "check username and password (--var username=... --var password=...) and that this "
                                    + "user exists in the realm the peer named", m.status());
                }
                String theirs = otherRealm.get(m.cseqNumber());
                if (theirs != null && (m.status() == 401 || m.status() == 407)) {
                    return new Check(step.where(), step.describe(), false, expected,
                            actual + ": challenge for realm \"" + theirs + "\", credentials are for \"" + vars.get("realm") + "\"",
                            "the peer asked for credentials of another realm than the one sipdrill's are for, so none were sent",
                            "set realm (--var realm=... or sipdrill.run.credentials.realm) to the realm the peer names, "
                                    + "if these credentials are meant for it", m.status());
                }
                return failure(step, "status", expected, actual, m, null); // the catalogue explains the code
            }
            Problem problem = conditionsHold(step.check(), m, step.line());
            if (problem != null) {
                return failure(step, problem.kind(), expected + " with " + describe(step.check()),
                        actual + ": " + problem.text(), m, null);
            }
            for (var c : step.capture().entrySet()) vars.put(c.getKey(), capture(c.getValue(), m));
            return Check.pass(step, expected, actual);
        }

        private Check failure(Step.Expect step, String kind, String expected, String actual, SipMessageView m,
                              String defaultMeaning) {
            String meaning = step.meaning().forKind(kind);
            return new Check(step.where(), step.describe(), false, expected, actual,
                    meaning != null ? text(meaning, actual, m, null) : defaultMeaning,
                    text(step.fix().forKind(kind), actual, m, null), m.isRequest() ? 0 : m.status());
        }

        private String describe(Step.Conditions c) {
            List<String> parts = new ArrayList<>();
            c.headers().forEach((k, v) -> parts.add(k + ": " + v));
            c.absent().forEach(a -> parts.add("no " + a));
            if (c.sipfrag() != null) parts.add("sipfrag " + c.sipfrag());
            if (c.body() != null) parts.add("body ~ " + c.body());
            return String.join(", ", parts);
        }

        /** Which condition failed (headers, absent, sipfrag, body) and how. */
        private record Problem(String kind, String text) { }

        /** Null when every condition holds, else what did not. */
        private Problem conditionsHold(Step.Conditions c, SipMessageView m, int line) {
            for (var h : c.headers().entrySet()) {
                List<String> values = m.headers(h.getKey());
                String regex = expand(h.getValue(), line);
                Pattern p = pattern(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
                if (values.isEmpty()) return new Problem("headers", "no " + h.getKey() + " header");
                if (values.stream().noneMatch(v -> p.matcher(v.trim()).matches())) {
                    return new Problem("headers", h.getKey() + " was \"" + String.join(", ", values) + "\"");
                }
            }
            for (String a : c.absent()) {
                if (!m.headers(a).isEmpty()) {
                    return new Problem("absent", a + " present (\"" + m.headers(a).get(0) + "\")");
                }
            }
            if (c.sipfrag() != null) {
                String line0 = Sipfrag.statusLine(m);
                if (line0 == null) {
                    return new Problem("sipfrag", "body is not a sipfrag status line (\"" + firstLine(m.body()) + "\")");
                }
                if (!c.sipfrag().matches(Sipfrag.status(m))) return new Problem("sipfrag", "sipfrag reported " + line0);
            }
            if (c.body() != null && !pattern(c.body(), Pattern.DOTALL).matcher(m.body()).find()) {
                return new Problem("body", "body did not match " + c.body() + " (\"" + firstLine(m.body()) + "\")");
            }
            return null;
        }

        private String capture(String what, SipMessageView m) {
            if (what.startsWith("header:")) return m.header(what.substring(7)).orElse("");
            return switch (what) {
                case "status" -> Integer.toString(m.status());
                case "reason" -> m.reason();
                case "sipfrag" -> String.valueOf(Sipfrag.statusLine(m));
                case "body" -> m.body();
                case "cseq" -> Long.toString(m.cseqNumber());
                default -> m.header("Call-ID").orElse("");
            };
        }

        // ---- registration (RFC 3261 10.2) ------------------------------------------------------

        private void register(Step.Register r) {
            String registrar = expand(r.registrar(), r.line());
            String aor = expand(r.aor(), r.line());
            String expires = expand(r.expires(), r.line()).trim();
            Duration within = r.within() == null ? defaultWithin : duration(r.within(), r.line());
            String user = userOf(aor);
            String given = expand(r.contact(), r.line());
            String contact = given != null && !given.isBlank()
                    ? (given.trim().startsWith("<") ? given.trim() : "<" + given.trim() + ">")
                    : "<sip:" + (user.isEmpty() ? "sipdrill" : user) + "@" + agent.hostPort()
                    + (agent.transport().equals("udp") ? "" : ";transport=" + agent.transport()) + ">";
            if (registration == null) {
                registration = agent.newLeg(this);
                legs.add(registration);
            }
            String expected = "200 to REGISTER listing " + contact + " within " + human(within);
            try {
                long cseq = registration.send(OutgoingRequest.outOfDialog("REGISTER", registrar, aor, aor)
                        .header("Contact", contact).header("Expires", expires));
                authTries.remove("REGISTER");
                sentOn.put("REGISTER", registration);
                lastCseq.put("REGISTER", cseq);
            } catch (SipException e) {
                fail(r, expected, "could not send: " + e.getMessage(),
                        e.meaning() != null ? e.meaning() : "sipdrill could not put the REGISTER on the wire",
                        e.fix() != null ? e.fix() : "check the registrar URI and the transport");
                return;
            }
            SipMessageView[] answer = {null};
            boolean[] retried423 = {false};
            boolean arrived = waitUntil(System.nanoTime() + within.toNanos(), ev -> {
                if (!(ev instanceof Inbound.Response resp) || !resp.message().cseqMethod().equals("REGISTER")
                        || resp.message().cseqNumber() != lastCseq.get("REGISTER") || resp.message().status() < 200) {
                    return false;
                }
                SipMessageView m = resp.message();
                if (m.status() == 423 && !retried423[0] && m.header("Min-Expires").isPresent()) {
                    retried423[0] = true; // RFC 3261 10.2.8: ask again for at least Min-Expires
                    long next = registration.resend("REGISTER", Map.of("Expires", m.header("Min-Expires").get().trim()));
                    lastCseq.put("REGISTER", next);
                    return false;
                }
                answer[0] = m;
                return true;
            });
            if (!arrived || answer[0] == null) {
                fail(r, expected, "nothing" + otherArrivals(System.nanoTime() - within.toNanos()),
                        "the registrar sent no final response to REGISTER within " + human(within),
                        "check the registrar's address, port and transport, and that it is up", Check.NO_ANSWER);
                return;
            }
            SipMessageView m = answer[0];
            String actual = m.status() + " " + m.reason();
            if (m.status() < 200 || m.status() >= 300) {
                Integer rejected = rejectedAfterAuth.get(m.cseqNumber());
                if (rejected != null && rejected == m.status()) {
                    fail(r, expected, m.status() + " after authenticating: credentials rejected",
                            "the registrar challenged REGISTER, sipdrill answered as " + vars.getOrDefault("username", "")
                                    + ", and the registrar refused the credentials",
                            "check username and password (--var username=... --var password=...) for the realm the registrar named",
                            m.status());
                } else if (m.status() == 423) {
                    fail(r, expected, actual + " again after asking for Min-Expires " + m.header("Min-Expires").orElse("?"),
                            "the registrar refused the expiry it asked for itself", "check the registrar's min-expires", 423);
                } else {
                    fail(r, expected, actual, null, null, m.status());
                }
                return;
            }
            int granted = grantedExpires(m, contact);
            if (granted <= 0) {
                fail(r, expected, actual + " without our Contact (Contacts: " + String.join(", ", m.headers("Contact")) + ")",
                        "the registrar answered 200 but does not list the binding just made (RFC 3261 10.3 step 8)",
                        "check the registrar: its 200 must list every current Contact of the address of record with its expiry");
                return;
            }
            registered = r;
            vars.put("registered-expires", Integer.toString(granted));
            vars.put("registered-contact", contact);
            refreshAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, granted / 2));
            checks.add(Check.pass(r, expected, actual + ", registered for " + granted + " s"));
        }

        /** The expiry the 200 grants our Contact, or 0 when it does not list it. */
        private int grantedExpires(SipMessageView ok, String contact) {
            String mine = contact.substring(1, contact.indexOf('>'));
            SipTarget ours = SipTarget.parse(mine);
            int headerExpires = ok.header("Expires").map(v -> { try { return Integer.parseInt(v.trim()); } catch (NumberFormatException e) { return -1; } }).orElse(-1);
            for (String value : ok.headers("Contact")) {
                try {
                    for (SipTarget.Contact c : SipTarget.contacts(value)) {
                        SipTarget t = c.target();
                        if (java.util.Objects.equals(t.user(), ours.user()) && t.host().equals(ours.host()) && t.port() == ours.port()) {
                            return c.expires() >= 0 ? c.expires() : headerExpires;
                        }
                    }
                } catch (SipException ignored) {
                    // a Contact we cannot read is not ours
                }
            }
            return 0;
        }

        private void refreshRegistration() {
            refreshAt = Long.MAX_VALUE;
            if (registration == null || registered == null) return;
            try {
                authTries.remove("REGISTER");
                long next = registration.resend("REGISTER", Map.of("Expires", expand(registered.expires(), registered.line()).trim()));
                lastCseq.put("REGISTER", next);
                refreshing = true;
            } catch (SipException e) {
                fail(registered, "registration refreshed", "could not send: " + e.getMessage(),
                        "the refresh REGISTER could not be sent", "check the registrar and the network");
            }
        }

        /** Takes the final response to a refresh REGISTER; true when it consumed one. */
        private boolean refreshed(Inbound ev) {
            if (!refreshing || !(ev instanceof Inbound.Response r) || !r.message().cseqMethod().equals("REGISTER")) return false;
            SipMessageView m = r.message();
            if (m.cseqNumber() != lastCseq.get("REGISTER") || m.status() < 200) return m.status() < 200;
            refreshing = false;
            String contact = vars.get("registered-contact");
            int granted = m.status() < 300 ? grantedExpires(m, contact) : 0;
            if (granted > 0) {
                vars.put("registered-expires", Integer.toString(granted));
                refreshAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, granted / 2));
                checks.add(Check.pass(registered, "registration refreshed", m.status() + " " + m.reason() + ", for " + granted + " s"));
            } else {
                fail(registered, "registration refreshed (200 listing " + contact + ")", m.status() + " " + m.reason(),
                        "the registrar did not renew the registration; calls to the address of record may stop arriving",
                        "check the registrar's log for why it refused the refresh", m.status());
                registered = null;
            }
            return true;
        }

        /** Ends the registration the scenario made: Expires 0, and its answer checked. */
        private void unregister() {
            if (registration == null || registered == null) return;
            Step.Register r = registered;
            registered = null;
            refreshAt = Long.MAX_VALUE;
            refreshing = false;
            try {
                authTries.remove("REGISTER");
                long cseq = registration.resend("REGISTER", Map.of("Expires", "0"));
                lastCseq.put("REGISTER", cseq);
            } catch (SipException e) {
                fail(r, "unregistered (2xx to REGISTER with Expires: 0)", "could not send: " + e.getMessage(),
                        "the registration stays at the registrar until it expires", "check the registrar and the network");
                return;
            }
            SipMessageView[] answer = {null};
            waitUntil(System.nanoTime() + Duration.ofSeconds(2).toNanos(), ev -> {
                if (ev instanceof Inbound.Response resp && resp.message().cseqMethod().equals("REGISTER")
                        && resp.message().cseqNumber() == lastCseq.get("REGISTER") && resp.message().status() >= 200) {
                    answer[0] = resp.message();
                    return true;
                }
                return false;
            });
            if (answer[0] != null && answer[0].status() < 300) {
                checks.add(new Check(r.where(), "unregister", true, "2xx to REGISTER with Expires: 0",
                        answer[0].status() + " " + answer[0].reason(), null, null, 0));
            } else {
                checks.add(new Check(r.where(), "unregister", false, "2xx to REGISTER with Expires: 0",
                        answer[0] == null ? "nothing within 2 s" : answer[0].status() + " " + answer[0].reason(),
                        "the registration stays at the registrar until it expires",
                        "check the registrar's log", answer[0] == null ? Check.NO_ANSWER : answer[0].status()));
            }
        }

        // ---- digest authentication (RFC 3261 22.2, RFC 8760) ---------------------------------

        /**
         * Answers a 401/407 to the request now pending with credentials (variables username and
         * password) and sends it again; true when it did, so the challenge is not what the step
         * sees. A second challenge to credentials already sent (not marked stale) is left for the
         * step: the credentials were rejected, and sending them again would only loop.
         */
        private boolean authenticate(Inbound ev) {
            if (!(ev instanceof Inbound.Response r)) return false;
            SipMessageView m = r.message();
            String method = m.cseqMethod();
            Long cseq = lastCseq.get(method);
            Leg on = sentOn.getOrDefault(method, leg);
            if (cseq == null || m.cseqNumber() != cseq || on == null) return false;
            if (m.status() == 403 && authTries.getOrDefault(method, 0) > 0) rejectedAfterAuth.put(cseq, 403);
            if (m.status() != 401 && m.status() != 407) return false;
            String user = vars.getOrDefault("username", "");
            if (user.isEmpty()) return false; // no credentials: the step sees the challenge
            DigestAuth.Challenge challenge = challenge(m.headers(m.status() == 401 ? "WWW-Authenticate" : "Proxy-Authenticate"));
            if (challenge == null) return false;
            String realm = vars.getOrDefault("realm", "");
            if (!realm.isEmpty() && !realm.equals(challenge.realm())) {
                otherRealm.put(cseq, challenge.realm());
                return false; // not ours to answer: the step sees the challenge, and says why
            }
            if (authTries.getOrDefault(method, 0) > 0 && !challenge.stale()) {
                rejectedAfterAuth.put(cseq, m.status());
                return false;
            }
            String uri = on.lastRequestUri(method);
            String value = DigestAuth.authorization(challenge, user, vars.getOrDefault("password", ""), method,
                    uri, DigestAuth.newCnonce(), 1);
            try {
                long next = on.resend(method, Map.of(m.status() == 401 ? "Authorization" : "Proxy-Authorization", value));
                authTries.merge(method, 1, Integer::sum);
                lastCseq.put(method, next);
                vars.put("last-cseq", Long.toString(next));
                return true;
            } catch (SipException e) {
                return false;
            }
        }

        /** The strongest supported digest challenge among the headers, or null. */
        private static DigestAuth.Challenge challenge(List<String> values) {
            DigestAuth.Challenge best = null;
            for (String v : values) {
                try {
                    DigestAuth.Challenge c = DigestAuth.Challenge.parse(v);
                    if (!DigestAuth.supported(c.algorithm())) continue;
                    if (c.qop() != null && !c.qop().isEmpty() && !c.qop().contains("auth")) continue;
                    if (best == null || !c.algorithm().toUpperCase(java.util.Locale.ROOT).startsWith("MD5")) best = c;
                } catch (IllegalArgumentException notDigest) {
                    // another scheme, or a broken challenge: the step sees the response as it came
                }
            }
            return best;
        }

        // ---- redirects -----------------------------------------------------------------

        /** Takes the final responses of an INVITE that follows redirects; true when it consumed one. */
        private boolean follow(Inbound ev) {
            if (redirects == null) return false;
            RedirectFollower.Decision d;
            SipMessageView last;
            if (ev instanceof Inbound.Response r && r.message().cseqMethod().equals("INVITE") && r.message().status() >= 200
                    && Long.valueOf(r.message().cseqNumber()).equals(lastCseq.get("INVITE"))) {
                last = r.message();
                d = redirects.onFinal(last);
            } else if (ev instanceof Inbound.Timeout t && t.method().equals("INVITE") && redirects.followed() > 0) {
                last = null;
                d = redirects.onNoAnswer("no answer");
            } else {
                return false;
            }
            while (d instanceof RedirectFollower.Retry retry) {
                if (last != null && last.status() == 301) permanent.put(redirects.original(), retry.uri());
                try {
                    long cseq = leg.retarget(retry.uri());
                    lastCseq.put("INVITE", cseq);
                    vars.put("last-cseq", Long.toString(cseq));
                    redirects.sent(retry.uri());
                    publishRedirects("");
                    return true;
                } catch (SipException e) {
                    redirects.sent(retry.uri());
                    d = redirects.onNoAnswer("not sent: " + e.getMessage());
                }
            }
            if (d instanceof RedirectFollower.Failed f) {
                publishRedirects(f.why());
                SipMessageView shown = last != null ? last : syntheticTimeout();
                redirects = null;
                inbox.add(new Inbound.RedirectFailed(System.nanoTime(), shown, f.why(), f.fix()));
                return true;
            }
            publishRedirects("");
            redirects = null;
            return false;
        }

        private SipMessageView syntheticTimeout() {
            return new SipMessageView("INVITE", 408, "Request Timeout (no answer)", "",
                    List.of(Map.entry("CSeq", lastCseq.get("INVITE") + " INVITE")), "", "");
        }

        private void publishRedirects(String error) {
            vars.put("redirect-path", redirects.pathText());
            vars.put("redirect-count", Integer.toString(redirects.followed()));
            vars.put("redirect-first", redirects.path().get(0));
            vars.put("answered-by", redirects.current());
            vars.put("redirect-error", error);
        }

        // ---- check ---------------------------------------------------------------------

        private void check(Step.Check c) {
            String value = expand(c.value(), c.line());
            boolean ok;
            String expected;
            if (c.equals() != null) {
                String other = expand(c.equals(), c.line());
                ok = value.equals(other);
                expected = c.value() + " = \"" + other + "\"";
            } else {
                String regex = expand(c.matches(), c.line());
                ok = pattern(regex, Pattern.DOTALL).matcher(value).matches();
                expected = c.value() + " matching " + regex;
            }
            String actual = "\"" + value + "\"";
            if (ok) {
                checks.add(Check.pass(c, expected, actual));
            } else {
                fail(c, expected, actual, text(c.meaning(), actual, null, null), text(c.fix(), actual, null, null));
            }
        }

        // ---- expect-none ----------------------------------------------------------------

        private void expectNone(Step.ExpectNone step) {
            Duration during = duration(step.during(), step.line());
            Inbound[] hit = {null};
            long start = System.nanoTime();
            waitUntil(new long[] {start + during.toNanos()}, ev -> {
                if (matchesNone(step, ev)) {
                    hit[0] = ev;
                    return true;
                }
                return false;
            });
            String expected = "no " + (step.method() != null ? step.method() : step.status() + " to " + step.of())
                    + " during " + human(during);
            if (hit[0] == null) {
                checks.add(Check.pass(step, expected, "none arrived"));
            } else {
                String actual = Inbound.describe(hit[0]);
                int code = hit[0] instanceof Inbound.Response r ? r.message().status() : 0;
                fail(step, expected, actual, text(step.meaning(), actual, null, during),
                        text(step.fix(), actual, null, during), code);
            }
        }

        private boolean matchesNone(Step.ExpectNone step, Inbound ev) {
            if (step.method() != null) return ev instanceof Inbound.Request r && r.message().method().equals(step.method());
            return ev instanceof Inbound.Response r && r.message().cseqMethod().equals(step.of())
                    && step.status().matches(r.message().status());
        }

        // ---- waiting ----------------------------------------------------------------------

        private boolean waitUntil(long until, java.util.function.Predicate<Inbound> consumer) {
            return waitUntil(new long[] {until}, consumer);
        }

        /**
         * Offers pending, then arriving, messages to `consumer` until it accepts one (returns true)
         * or the (movable) time limit passes. Accepted and consumed messages leave the pending list.
         */
        private boolean waitUntil(long[] until, java.util.function.Predicate<Inbound> consumer) {
            for (Inbound ev : new ArrayList<>(pending)) {
                int before = checks.size();
                if (consumer.test(ev)) {
                    pending.remove(ev);
                    return true;
                }
                if (checks.size() > before) pending.remove(ev); // an optional step took it
            }
            while (true) {
                long now = System.nanoTime();
                if (now >= refreshAt) refreshRegistration();
                long limit = Math.min(until[0], deadline);
                if (now >= limit) return false;
                limit = Math.min(limit, refreshAt);
                Inbound ev;
                try {
                    ev = inbox.poll(limit - now, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (ev == null || follow(ev) || authenticate(ev) || refreshed(ev)) continue;
                int before = checks.size();
                if (consumer.test(ev)) return true;
                if (checks.size() == before) pending.add(ev);
            }
        }

        // ---- what arrives (stack threads) ---------------------------------------------------

        @Override
        public void onResponse(Leg l, SipMessageView response) {
            delivered.incrementAndGet();
            inbox.add(new Inbound.Response(System.nanoTime(), response));
        }

        @Override
        public void onRequest(Leg l, ServerExchange request) {
            answer(request.request(), l == null, request::respond);
        }

        @Override
        public void onRequest(Leg l, SipMessageView request, Consumer<Reply> respond) {
            answer(request, false, respond);
        }

        /**
         * Answers a request from the peer as the steps or the scenario say, then hands it to the
         * steps: answered first, so that what a step sends next cannot overtake the answer.
         */
        private void answer(SipMessageView request, boolean newCall, Consumer<Reply> respond) {
            int status = answerFor(request, newCall);
            if (status > 0) {
                Reply reply = Reply.of(status);
                if (request.method().equals("INVITE") && status < 300) {
                    reply = Reply.withBody(status, Sdp.CONTENT_TYPE, vars.get("sdp"));
                }
                respond.accept(reply);
            }
            delivered.incrementAndGet();
            inbox.add(new Inbound.Request(System.nanoTime(), request, status));
        }

        private void outOfDialog(ServerExchange request) {
            onRequest(null, request);
        }

        @Override
        public void onTimeout(Leg l, String method) {
            inbox.add(new Inbound.Timeout(System.nanoTime(), method));
        }

        @Override
        public void onTransportError(Leg l, String method, String reason) {
            inbox.add(new Inbound.TransportError(System.nanoTime(), method, reason));
        }

        /**
         * The status for a request from the peer: the first step still to come that wants it says,
         * else the scenario's answer block, else a default (a new call nobody expects: 480).
         */
        private int answerFor(SipMessageView request, boolean newCall) {
            if (request.method().equals("ACK") || request.method().equals("CANCEL")) return 0;
            List<Step> steps = scenario.steps();
            for (int i = current; i < steps.size(); i++) {
                if (steps.get(i) instanceof Step.Expect e && request.method().equals(e.method()) && e.respond() != null) {
                    try {
                        if (conditionsHold(e.when(), request, e.line()) == null) return e.respond();
                    } catch (RuntimeException unresolved) {
                        // a {{variable}} not captured yet: this step is not the one
                    }
                }
            }
            Integer configured = scenario.answers().get(request.method());
            if (configured != null) return configured;
            if (newCall && request.method().equals("INVITE")) return 480;
            return switch (request.method()) {
                case "BYE", "NOTIFY", "INFO", "UPDATE", "OPTIONS", "MESSAGE", "INVITE" -> 200;
                default -> 501;
            };
        }

        // ---- ending ----------------------------------------------------------------------

        /** Leaves nothing up at the peer: BYE for established calls, CANCEL for pending ones. */
        private void cleanUp() {
            unregister();
            int sent = 0;
            for (Leg l : legs) {
                try {
                    if (l.isEnded()) continue;
                    if (l.confirmed()) {
                        l.send(OutgoingRequest.inDialog("BYE"));
                        sent++;
                    } else if (l.hasDialog()) {
                        l.cancel();
                        sent++;
                    }
                } catch (SipException ignored) {
                    // the peer is gone or the call already ended
                }
            }
            if (sent > 0) {
                pending.clear(); // only the answers to what was just sent count now
                int expected = sent;
                int[] answered = {0};
                waitUntil(System.nanoTime() + Duration.ofSeconds(2).toNanos(), ev -> ev instanceof Inbound.Response r
                        && r.message().status() >= 200 && List.of("BYE", "CANCEL").contains(r.message().cseqMethod())
                        && ++answered[0] >= expected);
            }
            if (exclusive) agent.onRequest(r -> r.respond(Reply.of(481)));
        }

        // ---- helpers ---------------------------------------------------------------------

        private void fail(Step step, String expected, String actual, String meaning, String fix) {
            fail(step, expected, actual, meaning, fix, 0);
        }

        private void fail(Step step, String expected, String actual, String meaning, String fix, int code) {
            checks.add(new Check(step.where(), step.describe(), false, expected, actual, meaning, fix, code));
        }

        private String expand(String text, int line) {
            if (text == null) return null;
            try {
                return Template.expand(text, vars);
            } catch (IllegalArgumentException e) {
                throw new BadVariable(scenario.file() + ":" + line + ": " + e.getMessage());
            }
        }

        /**
         * Expands explanation texts leniently: {{got}} is what arrived, {{status}} and {{sipfrag}}
         * the status line of the message and of its sipfrag body, {{within}} the time limit.
         */
        private String text(String template, String actual, SipMessageView m, Duration within) {
            if (template == null) return null;
            Map<String, String> all = new HashMap<>(vars);
            all.put("got", actual);
            if (m != null) {
                all.put("status", m.isRequest() ? m.method() : m.status() + " " + m.reason());
                all.put("sipfrag", String.valueOf(Sipfrag.statusLine(m)));
            }
            if (within != null) all.put("within", human(within));
            try {
                return Template.expand(template, all);
            } catch (IllegalArgumentException e) {
                return template;
            }
        }

        private Duration duration(String text, int line) {
            String expanded = expand(text, line);
            try {
                return Durations.parse(expanded);
            } catch (IllegalArgumentException e) {
                throw new BadVariable(scenario.file() + ":" + line + ": \"" + expanded + "\" is not a duration (write 500ms, 2s or 1m)");
            }
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String firstLine(String body) {
        if (body == null || body.isEmpty()) return "";
        int nl = body.indexOf('\n');
        return (nl < 0 ? body : body.substring(0, nl)).trim();
    }

}
