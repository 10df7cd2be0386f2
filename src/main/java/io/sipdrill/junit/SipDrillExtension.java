package io.sipdrill.junit;

import io.sipdrill.SipDrill;
import io.sipdrill.config.ConfigLoader;
import io.sipdrill.config.Settings;
import io.sipdrill.engine.ScenarioResult;
import io.sipdrill.sip.WireMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * sipdrill inside a JUnit 5 test: starts the chosen roles on 127.0.0.1 at free ports, plays
 * scenarios against whatever a test points them at, records every message each role sent and
 * received, and stops everything afterwards.
 *
 * <pre>{@code
 * @RegisterExtension
 * static SipDrillExtension sip = SipDrillExtension.builder()
 *         .role("answer")
 *         .role("registrar", "sipdrill.roles.registrar.min-expires=120")
 *         .set("sipdrill.run.default-within=5s")
 *         .build();
 *
 * @Test
 * void myProxyForwardsTheCall() {
 *     myProxy.route("bob", sip.address("answer"));
 *     ScenarioResult r = sip.run("basic/call", Map.of("target", "sip:bob@" + myProxy.address()));
 *     assertTrue(r.passed(), () -> r.failure().map(Object::toString).orElse(""));
 *     await().until(() -> sip.received("answer", "BYE"), is(1L));
 * }
 * }</pre>
 * A static field lives for the test class, an instance field for each test method. The
 * {@link SipDrillTest} annotation does the same for a class without a field.
 */
public final class SipDrillExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Map<String, List<String>> roles;
    private final List<String> settings;
    private final String transport;
    private final boolean declared;
    private SipDrill drill;
    private boolean perClass;
    /** The transport the roles were started with, which runs use too. */
    private String runTransport = "udp";
    private final Map<String, SipDrill.RunningRole> running = new LinkedHashMap<>();
    private final Map<String, List<WireMessage>> recorded = new LinkedHashMap<>();

    /** For {@link SipDrillTest}: the roles and settings come from the annotation. */
    public SipDrillExtension() {
        this(new LinkedHashMap<>(), new ArrayList<>(), "udp", true);
    }

    private SipDrillExtension(Map<String, List<String>> roles, List<String> settings, String transport, boolean declared) {
        this.roles = roles;
        this.settings = settings;
        this.transport = transport;
        this.declared = declared;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to start: roles (each with settings of its own), settings for all, the transport. */
    public static final class Builder {
        private final Map<String, List<String>> roles = new LinkedHashMap<>();
        private final List<String> settings = new ArrayList<>();
        private String transport = "udp";

        /** A built-in role, with settings as --set takes them that apply to this role only. */
        public Builder role(String name, String... roleSettings) {
            if (roles.containsKey(name)) throw new IllegalArgumentException("role " + name + " is already started by this extension");
            roles.put(name, List.of(roleSettings));
            return this;
        }

        /** A setting as --set takes it ("sipdrill.run.default-within=5s"), for every role and run. */
        public Builder set(String setting) {
            settings.add(setting);
            return this;
        }

        /** udp (the default), tcp or tls. */
        public Builder transport(String newTransport) {
            this.transport = newTransport;
            return this;
        }

        public SipDrillExtension build() {
            return new SipDrillExtension(new LinkedHashMap<>(roles), new ArrayList<>(settings), transport, false);
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) start(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) stop();
    }

    private void start(ExtensionContext context) {
        String chosenTransport = transport;
        if (declared) {
            SipDrillTest annotation = context.getRequiredTestClass().getAnnotation(SipDrillTest.class);
            if (annotation != null) {
                roles.clear();
                for (String r : annotation.roles()) roles.put(r, List.of());
                settings.clear();
                settings.addAll(List.of(annotation.settings()));
                chosenTransport = annotation.transport();
            }
        }
        drill = new SipDrill(ConfigLoader.load(null, settings));
        try {
            for (Map.Entry<String, List<String>> role : roles.entrySet()) {
                List<String> all = new ArrayList<>(settings);
                all.addAll(role.getValue());
                Settings roleSettings = ConfigLoader.load(null, all);
                SipDrill.RunningRole r = drill.startRole(role.getKey(), roleSettings, "127.0.0.1", 0, chosenTransport, true);
                List<WireMessage> messages = new CopyOnWriteArrayList<>();
                r.agent().addObserver(messages::add);
                running.put(role.getKey(), r);
                recorded.put(role.getKey(), messages);
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        runTransport = chosenTransport;
    }

    private void stop() {
        if (drill != null) drill.close();
        drill = null;
        running.clear();
        recorded.clear();
    }

    // ---- what tests use ----------------------------------------------------------------------

    /** "127.0.0.1:PORT" of a started role. */
    public String address(String role) {
        return role(role).address();
    }

    /** A SIP URI for a user at a started role ("sip:bob@127.0.0.1:PORT", with ;transport= unless UDP). */
    public String uri(String role, String user) {
        return "sip:" + user + "@" + address(role) + (runTransport.equals("udp") ? "" : ";transport=" + runTransport);
    }

    /**
     * Plays a scenario (bundled name such as "basic/call", or a file path) from its own agent on
     * 127.0.0.1 with these variables, and returns its verdict.
     */
    public ScenarioResult run(String scenario, Map<String, String> vars) {
        requireStarted();
        return drill.play(List.of(drill.loader().load(scenario)), vars, "127.0.0.1", 0, runTransport, r -> { }).get(0);
    }

    /** Every message the role sent and received so far, in the order it saw them (a copy). */
    public List<WireMessage> messages(String role) {
        role(role);
        return List.copyOf(recorded.get(role));
    }

    /**
     * How many requests of this method ("INVITE"), or responses with this status ("486"), the role
     * has received so far: made for Awaitility, {@code await().until(() -> sip.received("answer", "BYE"), is(1L))}.
     */
    public long received(String role, String methodOrStatus) {
        return count(role, methodOrStatus, false);
    }

    /** Likewise for what the role sent: {@code sip.sent("answer", "200")}. */
    public long sent(String role, String methodOrStatus) {
        return count(role, methodOrStatus, true);
    }

    private long count(String role, String methodOrStatus, boolean sent) {
        role(role);
        return recorded.get(role).stream().filter(m -> m.sent() == sent).filter(m -> m.message().isRequest()
                ? m.message().method().equalsIgnoreCase(methodOrStatus)
                : String.valueOf(m.message().status()).equals(methodOrStatus)).count();
    }

    /** The role's own object, for what only it knows (e.g. {@code RegistrarRole.contacts(aor)}). */
    public <T> T role(String role, Class<T> type) {
        return type.cast(role(role).role());
    }

    /** The facade, for anything this class does not cover (load runs, more roles, other settings). */
    public SipDrill drill() {
        requireStarted();
        return drill;
    }

    private SipDrill.RunningRole role(String role) {
        requireStarted();
        SipDrill.RunningRole r = running.get(role);
        if (r == null) throw new IllegalArgumentException("no role " + role + " was started; started: " + running.keySet());
        return r;
    }

    private void requireStarted() {
        if (drill == null) throw new IllegalStateException("sipdrill is not running: use it inside a test, "
                + "from a static @RegisterExtension field (per class) or an instance one (per test method)");
    }

    // ---- parameters ------------------------------------------------------------------------

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SipDrillExtension.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return this;
    }
}
