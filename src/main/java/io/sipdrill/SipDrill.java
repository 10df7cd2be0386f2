package io.sipdrill;

import io.sipdrill.config.Settings;
import io.sipdrill.http.HttpServer;
import io.sipdrill.metrics.Metrics;
import io.sipdrill.stir.Pem;
import io.sipdrill.stir.Stir;
import io.sipdrill.stir.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sipdrill.engine.LoadRunner;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.engine.ScenarioRunner;
import io.sipdrill.roles.AnswerRole;
import io.sipdrill.roles.Roles;
import io.sipdrill.scenario.BundledScenarios;
import io.sipdrill.scenario.Scenario;
import io.sipdrill.scenario.ScenarioLoader;
import io.sipdrill.sip.AgentSettings;
import io.sipdrill.sip.SipAgent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent facade: starts built-in roles, plays scenarios, and stops everything it started (the
 * stack's threads would otherwise keep the JVM alive).
 */
public final class SipDrill implements AutoCloseable {
    private Settings settings;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Metrics metrics = new Metrics("sipdrill");
    /** Metrics are kept once something can read them (/metrics over --http), and cost nothing before. */
    private volatile boolean metricsServed;

    public SipDrill(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() { return settings; }

    public Metrics metrics() { return metrics; }

    public ScenarioLoader loader() { return new ScenarioLoader(Roles.NAMES); }

    /**
     * Serves HTTP (health, and the signing certificate when one is configured, so an x5u can point
     * at sipdrill itself). With no x5u configured, the published certificate's URL becomes the x5u.
     */
    public HttpServer startHttp(String host, int port) {
        HttpServer http = HttpServer.start(host, port);
        started.add(http);
        http.route("/metrics", metrics::contentType, metrics::scrape);
        metricsServed = true;
        Settings.Stir stir = settings.stir();
        if (!stir.certificate().isBlank()) {
            Path cert = Path.of(stir.certificate());
            byte[] pem;
            try {
                pem = Files.readAllBytes(cert);
                Pem.certificates(pem);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("sipdrill.stir.sign.certificate: cannot publish " + cert + ": " + e.getMessage());
            }
            String url = http.publish("/certs/" + cert.getFileName(), "application/x-pem-file", pem);
            if (stir.x5u().isBlank()) settings = settings.withStir(stir.withSigning(stir.privateKey(), stir.certificate(), url));
        }
        return http;
    }

    /** The URL verifiers fetch the signing certificate from, or "" when calls are not signed. */
    public String x5u() { return settings.stir().x5u(); }

    /** A built-in role serving on its own agent. */
    public record RunningRole(String name, SipAgent agent, AnswerRole role) implements AutoCloseable {
        public String address() { return agent.hostPort(); }

        @Override
        public void close() {
            agent.close();
            role.close();
        }
    }

    public RunningRole startRole(String name, String host, int port, String transport) {
        return startRole(name, settings, host, port, transport);
    }

    public RunningRole startRole(String name, Settings roleSettings, String host, int port, String transport) {
        return startRole(name, roleSettings, host, port, transport, false);
    }

    /** observe: the role's agent hands every message in and out to its observers (slower: one stack worker). */
    public RunningRole startRole(String name, Settings roleSettings, String host, int port, String transport, boolean observe) {
        AnswerRole role = Roles.create(name, roleSettings);
        SipAgent agent = SipAgent.start(agentSettings(roleSettings.sip(), host, port, transport, observe));
        if (metricsServed) {
            Metrics.Role meters = metrics.role(name);
            agent.count(meters);
            role.metrics(meters);
            meters.gauge("sip.dialogs.active", agent::confirmedDialogs);
        }
        agent.onRequest(role);
        RunningRole running = new RunningRole(name, agent, role);
        started.add(running);
        return running;
    }

    /** Plays scenarios one after another from one agent; `vars` go to each scenario declaring them. */
    public List<ScenarioResult> play(List<Scenario> scenarios, Map<String, String> vars, String host, int port,
                                     String transport, Consumer<ScenarioResult> onEach) {
        SipAgent agent = SipAgent.start(agentSettings(host, port, transport, true));
        if (metricsServed) agent.count(metrics.role("scenario"));
        started.add(agent);
        ScenarioRunner runner = new ScenarioRunner(agent, settings.run(), Stir.signer(settings.stir()));
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            Map<String, String> own = new LinkedHashMap<>();
            vars.forEach((k, v) -> {
                if (s.vars().containsKey(k) || ScenarioLoader.CREDENTIALS.contains(k)) own.put(k, v);
            });
            ScenarioResult r = runner.run(s, own);
            countRun(r);
            results.add(r);
            onEach.accept(r);
        }
        return results;
    }

    private void countRun(ScenarioResult r) {
        if (metricsServed) metrics.role("scenario").count("scenario.runs", "scenario", r.name(), "verdict", r.passed() ? "pass" : "fail");
    }

    /** Load mode: one scenario as many independent calls from one agent (no traces kept). */
    public LoadRunner load(Scenario scenario, Map<String, String> vars, String host, int port, String transport,
                           LoadRunner.Options options) {
        AgentSettings a = agentSettings(host, port, transport, false);
        String whyNotLean = whyNotLean(scenario, a);
        io.sipdrill.sip.Endpoint endpoint;
        if (whyNotLean == null) {
            io.sipdrill.sip.LeanEndpoint lean = io.sipdrill.sip.LeanEndpoint.start(a.host(), a.port(), a.user());
            if (metricsServed) lean.count(metrics.role("scenario"));
            started.add(lean);
            endpoint = lean;
        } else {
            SipAgent agent = SipAgent.start(a);
            if (metricsServed) agent.count(metrics.role("scenario"));
            agent.onRequest(r -> r.respond(io.sipdrill.sip.Reply.of(481)));
            started.add(agent);
            endpoint = agent;
        }
        Map<String, String> own = new LinkedHashMap<>();
        vars.forEach((k, v) -> {
            if (scenario.vars().containsKey(k) || ScenarioLoader.CREDENTIALS.contains(k)) own.put(k, v);
        });
        return new LoadRunner(new ScenarioRunner(endpoint, settings.run(), Stir.signer(settings.stir())), scenario, own,
                options, metrics.registry(), whyNotLean == null ? "sipdrill's lean UDP path" : "JAIN-SIP (" + whyNotLean + ")");
    }

    /**
     * Why a load run of this scenario needs JAIN-SIP rather than the lean UDP path, or null when it
     * does not: the lean path places calls over UDP and answers requests inside them, and leaves
     * registrations, redirects, signing, other transports and an outbound proxy to JAIN-SIP.
     */
    String whyNotLean(Scenario scenario, AgentSettings a) {
        if (!settings.run().leanLoad()) return "sipdrill.run.lean-load = false";
        if (!a.transport().equals("udp")) return "transport " + a.transport();
        if (!a.outboundProxy().isEmpty()) return "an outbound proxy";
        for (io.sipdrill.scenario.Step step : scenario.steps()) {
            if (step instanceof io.sipdrill.scenario.Step.Register) return "a register step";
            if (step instanceof io.sipdrill.scenario.Step.Send s && s.followRedirects()) return "redirects followed";
            if (step instanceof io.sipdrill.scenario.Step.Send s && s.sign() != null) return "signed calls";
        }
        return null;
    }

    /**
     * The embedded default: every built-in role on loopback, every bundled scenario against the role
     * it names, with the variables its demo block sets.
     */
    public List<ScenarioResult> demo(Consumer<ScenarioResult> onEach) {
        Map<String, RunningRole> roles = new LinkedHashMap<>();
        roles.put("answer", startRole("answer", "127.0.0.1", 0, "udp"));
        Settings demoSettings = settings.withRedirect(demoRedirects(roles.get("answer").address()))
                .withStir(demoPki())
                .withRegistrar(new Settings.Registrar(settings.registrar().minExpires(), settings.registrar().maxExpires(),
                        settings.registrar().defaultExpires(),
                        new Settings.Auth("sipdrill.demo", Map.of("alice", "demo-secret"), "SHA-256")));
        for (String name : Roles.NAMES) {
            if (!roles.containsKey(name) && !name.equals("b2bua")) {
                roles.put(name, startRole(name, demoSettings, "127.0.0.1", 0, "udp"));
            }
        }
        // the PBX stand-in last: its routes lead to the roles started above
        roles.put("b2bua", startRole("b2bua", demoSettings.withB2bua(demoSettings.b2bua().withRouting(
                "sip:{{user}}@" + roles.get("answer").address(), Map.of(
                        "redirected", "sip:bob@" + roles.get("redirect").address(),
                        "+15551240000", "sip:+15551240000@" + roles.get("spam-callee").address()))),
                "127.0.0.1", 0, "udp"));
        SipAgent agent = SipAgent.start(agentSettings("127.0.0.1", 0, "udp", true));
        started.add(agent);
        ScenarioRunner runner = new ScenarioRunner(agent, settings.run(), Stir.signer(demoSettings.stir()));
        List<ScenarioResult> results = new ArrayList<>();
        ScenarioLoader loader = loader();
        for (String name : BundledScenarios.names()) {
            Scenario s = loader.load(name);
            Map<String, String> vars = new LinkedHashMap<>();
            roles.forEach((role, running) -> vars.put(role + "-address", running.address()));
            vars.put("peer-address", roles.get(s.peer()).address());
            vars.putAll(s.demoVars());
            ScenarioResult r = runner.run(s, vars);
            countRun(r);
            results.add(r);
            onEach.accept(r);
        }
        return results;
    }

    /**
     * A throw-away test PKI for the demo: calls are signed with its key, its certificate is served
     * over HTTP on loopback for x5u, and the spam-blocking callee trusts its root.
     */
    private Settings.Stir demoPki() {
        try {
            Path dir = Files.createTempDirectory("sipdrill-demo-pki");
            started.add(() -> {
                for (String f : TestPki.FILES) Files.deleteIfExists(dir.resolve(f));
                Files.deleteIfExists(dir);
            });
            TestPki.create(dir, "1234", false);
            HttpServer http = HttpServer.start("127.0.0.1", 0);
            started.add(http);
            String url = http.publish("/certs/sp-cert.pem", "application/x-pem-file", Files.readAllBytes(dir.resolve("sp-cert.pem")));
            return settings.stir().withSigning(dir.resolve("sp-key.pem").toString(), dir.resolve("sp-cert.pem").toString(), url)
                    .withTrustAnchors(List.of(dir.resolve("ca-cert.pem").toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the demo's test PKI: " + e.getMessage(), e);
        }
    }

    /**
     * The redirect server demo plays against: every user is sent to the answer role, and a few
     * users exercise the caller's side: two Contacts in q order ("multi": the preferred one is busy),
     * a loop ("loop" and "loop-back") and a 302 without any Contact ("nowhere").
     */
    static Settings.Redirect demoRedirects(String answer) {
        return new Settings.Redirect(302, List.of("<sip:{{user}}@" + answer + ">"), Map.of(
                "multi", List.of("<sip:carol@" + answer + ">;q=0.5", "<sip:busy@" + answer + ">;q=0.9"),
                "loop", List.of("<sip:loop-back@{{self}}>"),
                "loop-back", List.of("<sip:loop@{{self}}>"),
                "nowhere", List.of()));
    }

    private AgentSettings agentSettings(String host, int port, String transport, boolean observe) {
        return agentSettings(settings.sip(), host, port, transport, observe);
    }

    private AgentSettings agentSettings(Settings.Sip sip, String host, int port, String transport, boolean observe) {
        // A scenario's agent records a trace: one stack worker keeps received messages in arrival
        // order (a pool may process two datagrams a millisecond apart the other way round).
        Settings.Tls tls = sip.tls();
        return new AgentSettings(host == null ? sip.bindHost() : host, port < 0 ? sip.bindPort() : port,
                transport == null ? sip.transport() : transport, sip.user(), observe ? 1 : sip.threadPoolSize(), observe,
                new AgentSettings.Tls(tls.certificate(), tls.privateKey(), tls.trustAnchors(), tls.insecure(), tls.timeout()),
                sip.outboundProxy());
    }

    /** Stops everything started, in parallel: JAIN-SIP's stop waits a fixed second per stack. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (AutoCloseable c : started) {
            Thread t = new Thread(() -> {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing the rest matters more
                }
            }, "sipdrill-close");
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }
}
