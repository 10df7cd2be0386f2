package io.sipdrill.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * sipdrill's meters, in Micrometer's Prometheus registry: dotted lowercase names, bounded tags only
 * (method, status code and class, direction, role, outcome: never a Call-ID or a URI).
 */
public final class Metrics {
    private static final java.util.List<String> METHODS = java.util.List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS",
            "REGISTER", "REFER", "NOTIFY", "SUBSCRIBE", "INFO", "UPDATE", "PRACK", "MESSAGE", "PUBLISH", "other");
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public Metrics(String instance) {
        registry.config().commonTags("instance", instance);
    }

    public MeterRegistry registry() { return registry; }

    /** Prometheus text, or OpenMetrics when the scraper asks for it (its Accept header). */
    public String scrape(String accept) {
        return registry.scrape(accept == null ? "text/plain" : accept);
    }

    public String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
    }

    /** The meters of one role (or "scenario" for the agent playing scenarios). */
    public Role role(String role) {
        return new Role(role);
    }

    public final class Role implements io.sipdrill.sip.MessageCounter {
        private final String role;
        // counters are looked up per message: kept by (method, code, direction) after the first use
        private final Counter[] requests = new Counter[METHODS.size() * 2];
        private final Counter[] responses = new Counter[METHODS.size() * 601 * 2];

        private Role(String role) {
            this.role = role;
        }

        /** A request in or out. */
        @Override
        public void request(String method, boolean sent) {
            int i = methodIndex(method) * 2 + (sent ? 1 : 0);
            Counter c = requests[i];
            if (c == null) {
                c = Counter.builder("sip.requests").description("SIP requests sent and received")
                        .tags(Tags.of("role", role, "method", METHODS.get(methodIndex(method)), "direction", sent ? "out" : "in"))
                        .register(registry);
                requests[i] = c; // a race registers the same counter twice: Micrometer returns the one it has
            }
            c.increment();
        }

        /** A response in or out, by the method it answers and its code (and class). */
        @Override
        public void response(String method, int status, boolean sent) {
            int code = status >= 100 && status <= 699 ? status : 700;
            int i = (methodIndex(method) * 601 + (code - 100)) * 2 + (sent ? 1 : 0);
            Counter c = responses[i];
            if (c == null) {
                c = Counter.builder("sip.responses").description("SIP responses sent and received")
                        .tags(Tags.of("role", role, "method", METHODS.get(methodIndex(method)), "direction", sent ? "out" : "in",
                                "code", code <= 699 ? Integer.toString(code) : "other",
                                "class", code <= 699 ? code / 100 + "xx" : "other"))
                        .register(registry);
                responses[i] = c;
            }
            c.increment();
        }

        /** A gauge read when scraped, e.g. the agent's established dialogs. */
        public void gauge(String name, java.util.function.Supplier<Number> value) {
            io.micrometer.core.instrument.Gauge.builder(name, value).tags(Tags.of("role", role)).register(registry);
        }

        /** Something a role decided or saw, e.g. ("b2bua.legs", "leg", "b", "class", "2xx"). */
        public void count(String name, String... tags) {
            Counter.builder(name).tags(Tags.of("role", role).and(tags)).register(registry).increment();
        }
    }

    private static int methodIndex(String m) {
        int i = METHODS.indexOf(m);
        return i < 0 ? METHODS.size() - 1 : i;
    }
}
