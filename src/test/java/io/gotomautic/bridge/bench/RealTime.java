package io.gotomautic.bridge.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebhooks;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;

/**
 * Real time, measured: people register for a webinar in GoTo itself (not through the bridge), one every 1/rate s,
 * and each one's latency runs from that instant until Mautic has the contact in the webinar's registered segment.
 * Once with GoTo's webhooks (the bridge subscribes as it does in production), once with polling only
 * ({@code goto.webhooks.enabled = false}); both with the shipped defaults otherwise (the poll every 120 s, the push
 * every 2 s, GoTo's limit of 100 calls a minute in the simulator and the service). The packaged service, the real
 * PostgreSQL, the simulators in this JVM. Not a test: bench/run.sh runs it.
 *
 * <p>Arguments: {@code [registrations rate modes]} (default 1000 10 webhooks,polling). The service's log is appended
 * to bench/realtime.log.
 */
public final class RealTime {

    private static final Path LOG = Path.of("bench/realtime.log");

    public static void main(String[] args) throws Exception {
        int people = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        List<String> modes = List.of((args.length > 2 ? args[2] : "webhooks,polling").split(","));
        for (String mode : modes) {
            run(mode.equals("webhooks"), people, rate);
        }
    }

    private static void run(boolean webhooks, int people, double rate) throws Exception {
        String db = "bench_rt_" + System.currentTimeMillis();
        BenchService.admin("CREATE DATABASE " + db);
        try (GoToSimulator goTo = GoToSimulator.start(0, "bench", "bench", "bench").rateLimit(100, Duration.ofSeconds(60));
             MauticSimulator mautic = MauticSimulator.start(0, "bench", "bench")) {
            long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Launch")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(5)), Duration.ofHours(1)))).key();
            int port = BenchService.freePort();
            Process bridge = BenchService.start(db, port, goTo, mautic, Map.of("BRIDGE_PUBLIC_URL", "http://127.0.0.1:" + port,
                    "GOTO_WEBHOOKS_ENABLED", String.valueOf(webhooks)), LOG, webhooks ? "realtime webhooks" : "realtime polling");
            try {
                BenchService.awaitReady(bridge, port, LOG);
                // as in production: subscribed, and the poll at start done, before anyone registers
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (BenchService.count(db, "SELECT count(*) FROM sync_cursor WHERE product = 'webinar' AND outcome = 'ok'") == 0
                        || webhooks && goTo.userSubscriptions(goTo.firstOrganizer()).stream()
                        .filter(s -> s.state() == GoToWebhooks.State.ACTIVE).count() < 4) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("not subscribed and polled within 2 minutes; see " + LOG);
                    }
                    Thread.sleep(100);
                }
                long callsBefore = goTo.calls().total();
                Map<String, Long> registeredAt = new LinkedHashMap<>();
                Map<String, Long> latency = new LinkedHashMap<>();
                long start = System.nanoTime();
                long every = (long) (1e9 / rate);
                MauticState state = mautic.state();
                int next = 0;
                long until = start + TimeUnit.MINUTES.toNanos(10) + people * every;
                while (latency.size() < people) {
                    long now = System.nanoTime();
                    while (next < people && start + next * every <= now) {
                        String email = String.format(Locale.ROOT, "rt%05d@example.com", next);
                        goTo.state().webinars().addRegistrant(webinar, "P" + next, "Rt", email);
                        registeredAt.put(email, start + next * every);
                        next++;
                    }
                    for (Map.Entry<String, Long> e : registeredAt.entrySet()) {
                        if (!latency.containsKey(e.getKey()) && inRegisteredSegment(state, e.getKey())) {
                            latency.put(e.getKey(), System.nanoTime() - e.getValue());
                        }
                    }
                    if (now > until || !bridge.isAlive()) {
                        throw new IllegalStateException(latency.size() + " of " + people + " reached Mautic; see " + LOG);
                    }
                    Thread.sleep(20);
                }
                List<Long> sorted = new ArrayList<>(latency.values());
                sorted.sort(null);
                System.out.printf(Locale.ROOT, "realtime %-8s %d registrations at %.0f/s: p50 %.2f s  p90 %.2f s  p99 %.2f s  max %.2f s;"
                                + " GoTo calls meanwhile %d%n", webhooks ? "webhooks" : "polling", people, rate, seconds(sorted, 0.50),
                        seconds(sorted, 0.90), seconds(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e9, goTo.calls().total() - callsBefore);
            } finally {
                BenchService.stop(bridge);
            }
        } finally {
            BenchService.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    private static boolean inRegisteredSegment(MauticState state, String email) {
        Optional<MauticState.Contact> contact = state.contactByEmail(email);
        return contact.isPresent() && state.segmentsOf(contact.get().id()).stream()
                .anyMatch(m -> state.segment(m.segmentId()).map(s -> s.name().endsWith("· registered")).orElse(false));
    }

    /** The q-quantile (nearest rank) in seconds. */
    private static double seconds(List<Long> sorted, double q) {
        return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1)) / 1e9;
    }
}
