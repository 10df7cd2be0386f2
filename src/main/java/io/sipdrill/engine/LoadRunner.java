package io.sipdrill.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.sipdrill.scenario.Scenario;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Load mode (like SIPp's -r, -m, -l): the scenario started as independent calls at a rate, with at
 * most so many at once, until a number of calls or a duration; a progress line every second and a
 * summary with calls by outcome, failures by reason and response-time percentiles per method.
 * A rate the machine cannot keep is said so (calls queued, rate achieved), not silently lowered.
 */
public final class LoadRunner {
    public record Options(double rate, long calls, int maxConcurrent, Duration duration) {
        public Options {
            if (rate <= 0) throw new IllegalArgumentException("--rate must be more than 0 calls per second");
            if (maxConcurrent <= 0) throw new IllegalArgumentException("--max-concurrent must be at least 1");
            if (calls <= 0 && duration == null) throw new IllegalArgumentException("give --calls N or --duration D");
        }
    }

    /** What happened: counts, failures grouped by reason, percentiles per method (ms). */
    public record Summary(long started, long passed, long failed, long notStarted, Map<String, Long> failures,
                          Map<String, double[]> percentilesMs, Duration elapsed, boolean stoppedEarly,
                          String stopReason) {
        public double achievedRate() {
            return elapsed.toNanos() == 0 ? 0 : started / (elapsed.toNanos() / 1e9);
        }

        public double p99Ms() {
            return percentilesMs.values().stream().mapToDouble(p -> p[1]).max().orElse(0);
        }
    }

    private final ScenarioRunner runner;
    private final Scenario scenario;
    private final Map<String, String> vars;
    private final Options options;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final LongAdder passed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicLong unansweredInARow = new AtomicLong();
    private volatile boolean stopping;
    private volatile String stopReason;
    private final String sipPath;

    /** Which SIP implementation places the calls, and why when it is not the lean one. */
    public String sipPath() { return sipPath; }

    public LoadRunner(ScenarioRunner runner, Scenario scenario, Map<String, String> vars, Options options,
                      MeterRegistry registry) {
        this(runner, scenario, vars, options, registry, "JAIN-SIP");
    }

    public LoadRunner(ScenarioRunner runner, Scenario scenario, Map<String, String> vars, Options options,
                      MeterRegistry registry, String sipPath) {
        this.sipPath = sipPath;
        this.runner = runner;
        this.scenario = scenario;
        this.vars = vars;
        this.options = options;
        this.registry = registry;
    }

    /** Asks the run to stop starting calls; calls in flight finish (or time out) on their own. */
    public void stop() {
        stopping = true;
    }

    /**
     * How many calls in a row may end with nothing from the peer before the run gives up: as many
     * as can be in flight at once (at least 10), so a peer that is merely losing some calls under
     * load keeps being tested, while a dead one ends the run after one round of time-outs.
     */
    int unansweredLimit() {
        return Math.max(10, options.maxConcurrent());
    }

    /** Runs to the end; progress gets one line a second. */
    public Summary run(Consumer<String> progress) throws InterruptedException {
        ExecutorService calls = Executors.newFixedThreadPool(options.maxConcurrent(), r -> {
            Thread t = new Thread(r, "sipdrill-call");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        long end = options.duration() == null ? Long.MAX_VALUE : start + options.duration().toNanos();
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long lastStarted = 0;
        long lastReportAt = start;
        long limit = options.calls() > 0 ? options.calls() : Long.MAX_VALUE;
        try {
            while (!stopping && started.get() < limit && System.nanoTime() < end) {
                long now = System.nanoTime();
                long due = Math.min(limit, (long) Math.floor((now - start) / 1e9 * options.rate()) + 1);
                while (started.get() < due && active.get() < options.maxConcurrent() && !stopping) {
                    started.incrementAndGet();
                    active.incrementAndGet();
                    calls.execute(this::oneCall);
                }
                if (now >= nextReport) {
                    long s = started.get();
                    double rate = (s - lastStarted) / ((now - lastReportAt) / 1e9);
                    progress.accept(line(now - start, rate, due - s));
                    lastStarted = s;
                    lastReportAt = now;
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } finally {
            calls.shutdown();
        }
        // calls in flight end by themselves: each step has its own time limit
        while (!calls.awaitTermination(1, TimeUnit.SECONDS)) {
            progress.accept(line(System.nanoTime() - start, 0, 0) + "  (waiting for " + active.get() + " calls to end)");
        }
        Map<String, Long> byReason = new TreeMap<>();
        failures.forEach((k, v) -> byReason.put(k, v.sum()));
        Map<String, double[]> percentiles = new TreeMap<>();
        timers.forEach((method, t) -> percentiles.put(method, new double[] {percentile(t, 0.5), percentile(t, 0.99)}));
        long notStarted = Math.max(0, (options.calls() > 0 ? options.calls() : started.get()) - started.get());
        return new Summary(started.get(), passed.sum(), failed.sum(), notStarted, byReason, percentiles,
                Duration.ofNanos(System.nanoTime() - start), stopping, stopReason);
    }

    private void oneCall() {
        try {
            ScenarioResult r = runner.runConcurrently(scenario, vars);
            r.responseMicros().forEach((method, micros) -> {
                Timer t = timers.computeIfAbsent(method, m -> Timer.builder("sip.response.time")
                        .description("From a request to the response a scenario waited for")
                        .tags("method", m).publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                        .register(registry));
                for (long us : micros) t.record(us, TimeUnit.MICROSECONDS);
            });
            registry.counter("load.calls", "outcome", r.passed() ? "passed" : "failed").increment();
            if (r.passed()) {
                passed.increment();
                unansweredInARow.set(0);
            } else {
                failed.increment();
                failures.computeIfAbsent(reason(r), k -> new LongAdder()).increment();
                boolean unanswered = r.failure().map(Check::noAnswer).orElse(false);
                long inARow = unanswered ? unansweredInARow.incrementAndGet() : 0;
                if (!unanswered) unansweredInARow.set(0);
                if (inARow >= unansweredLimit() && !stopping) {
                    stopReason = "the peer stopped answering: " + inARow + " calls in a row got nothing back";
                    stopping = true;
                }
            }
        } catch (RuntimeException e) {
            failed.increment();
            failures.computeIfAbsent("error: " + e.getMessage(), k -> new LongAdder()).increment();
        } finally {
            active.decrementAndGet();
        }
    }

    /** Failures group by step and what arrived, without call-specific detail. */
    private static String reason(ScenarioResult r) {
        return r.failure().map(f -> f.step() + ": expected " + f.expected() + ", got "
                + f.actual().replaceAll("\\d+(\\.\\d+)? ?(ms|s)\\b", "N")).orElse("unknown");
    }

    private String line(long elapsedNanos, double rate, long queued) {
        String s = String.format(Locale.ROOT, "[%5.1fs] started %d  completed %d  failed %d  active %d  %.1f calls/s (target %.1f)",
                elapsedNanos / 1e9, started.get(), passed.sum() + failed.sum(), failed.sum(), active.get(), rate, options.rate());
        Timer invite = timers.get("INVITE");
        if (invite != null) {
            s += String.format(Locale.ROOT, "  INVITE p50 %.1f ms p99 %.1f ms", percentile(invite, 0.5), percentile(invite, 0.99));
        }
        if (queued > 0) s += "  queued " + queued + ": behind the target rate (max-concurrent reached or machine too slow)";
        return s;
    }

    private static double percentile(Timer t, double p) {
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - p) < 1e-9) return v.value(TimeUnit.MILLISECONDS);
        }
        return 0;
    }
}
