package io.gotomautic.bridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticSimulator;

/**
 * The pull sync's backfill, measured: N registrants over W past webinars (half of them attended), every GoTo and
 * Mautic call delayed by the simulators, the packaged service run as an operator runs it, against the real
 * PostgreSQL. Prints wall time to an empty outbox, the service's peak heap, calls per 1,000 registrants, then
 * the calls of one idle cycle. Not a test: bench/run.sh runs it.
 *
 * <p>Arguments: registrants webinars utm(true|false) notes(true|false) latencyMs
 */
public final class Backfill {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E]+)");

    public static void main(String[] args) throws Exception {
        int registrants = Integer.parseInt(args[0]);
        int webinars = Integer.parseInt(args[1]);
        boolean utm = Boolean.parseBoolean(args[2]);
        boolean notes = Boolean.parseBoolean(args[3]);
        Duration latency = Duration.ofMillis(Long.parseLong(args[4]));
        String db = "bench_" + System.currentTimeMillis();
        BenchService.admin("CREATE DATABASE " + db);
        try (GoToSimulator goTo = GoToSimulator.start(0, "bench", "bench", "bench").rateLimit(0, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "bench", "bench")) {
            seed(goTo, registrants, webinars);
            goTo.faults().latency(latency);
            mautic.faults().latency(latency);
            int port = BenchService.freePort();
            Process bridge = start(db, port, goTo, mautic, utm, notes);
            try {
                Instant start = Instant.now();
                double peakHeap = 0;
                while (registrations(db) < registrants || pending(db) > 0) {
                    peakHeap = Math.max(peakHeap, heap(port));
                    if (!bridge.isAlive()) {
                        throw new IllegalStateException("the service died; see bench/backfill.log");
                    }
                    Thread.sleep(250);
                }
                Duration wall = Duration.between(start, Instant.now());
                long goToCalls = goTo.calls().total();
                long mauticCalls = mautic.calls().total();

                // one whole idle cycle: from the start of one poll to the start of the next
                nextPoll(goTo);
                long idleGoTo = goTo.calls().total();
                long idleMautic = mautic.calls().total();
                nextPoll(goTo);
                // the rest of one cycle plus the list call that starts the next: one whole cycle
                idleGoTo = goTo.calls().total() - idleGoTo;
                idleMautic = mautic.calls().total() - idleMautic;
                System.out.printf(Locale.ROOT, "registrants=%d webinars=%d utm=%s notes=%s latency=%dms%n", registrants, webinars,
                        utm, notes, latency.toMillis());
                System.out.printf(Locale.ROOT, "  backfill wall time      %.1f s%n", wall.toMillis() / 1000.0);
                System.out.printf(Locale.ROOT, "  service peak heap       %.0f MB used (-Xmx256m, sampled every 250 ms)%n", peakHeap / 1_048_576);
                System.out.printf(Locale.ROOT, "  GoTo calls              %d (%.1f per 1,000 registrants)%n", goToCalls, goToCalls * 1000.0 / registrants);
                System.out.printf(Locale.ROOT, "  Mautic calls            %d (%.1f per 1,000 registrants): %s%n", mauticCalls,
                        mauticCalls * 1000.0 / registrants, mautic.calls().snapshot());
                System.out.printf(Locale.ROOT, "  idle cycle              GoTo %d calls, Mautic %d calls%n", idleGoTo, idleMautic);
            } finally {
                bridge.destroy();
                bridge.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            BenchService.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** Waits until the next poll has listed the webinars (its first call). */
    private static void nextPoll(GoToSimulator goTo) throws InterruptedException {
        String list = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars";
        long lists = goTo.calls().count(list);
        while (goTo.calls().count(list) == lists) {
            Thread.sleep(50);
        }
    }

    /** Past webinars, ended a day ago (so they settle), each with one session that half of its registrants attended. */
    private static void seed(GoToSimulator goTo, int registrants, int webinars) {
        Instant held = Instant.now().minus(Duration.ofDays(1));
        int each = registrants / webinars;
        for (int w = 0; w < webinars; w++) {
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Backfill webinar " + w)
                    .times(TimeRange.of(held, Duration.ofHours(1)))).key();
            var session = goTo.state().webinars().addSession(key, TimeRange.of(held, Duration.ofHours(1)));
            for (int r = 0; r < each; r++) {
                var registrant = goTo.state().webinars().addRegistrant(key, "First" + r, "Last" + w,
                        "person" + r + "@webinar" + w + ".example.com");
                if (r % 2 == 0) {
                    goTo.state().webinars().recordAttendance(session.key(), registrant.key(),
                            TimeRange.of(held.plusSeconds(60), Duration.ofMinutes(30)));
                }
            }
        }
    }

    private static Process start(String db, int port, GoToSimulator goTo, MauticSimulator mautic, boolean utm, boolean notes)
            throws Exception {
        return BenchService.start(db, port, goTo, mautic, Map.of("GOTO_RATE_LIMIT", "100000/1s", "GOTO_BURST_LIMIT", "100000/1s",
                "BRIDGE_POLL_WEBINAR", "15s", "BRIDGE_PUSH_INTERVAL", "200ms", "BRIDGE_TIMELINE_UTM", String.valueOf(utm),
                "BRIDGE_TIMELINE_NOTES", String.valueOf(notes)), Path.of("bench/backfill.log"),
                "bench Backfill utm=" + utm + " notes=" + notes);
    }

    private static double heap(int port) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            Matcher m = HEAP.matcher(body);
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return sum;
        } catch (Exception e) {
            return 0;
        }
    }

    private static long registrations(String db) throws Exception {
        return BenchService.count(db, "SELECT count(*) FROM registration");
    }

    private static long pending(String db) throws Exception {
        return BenchService.count(db, "SELECT count(*) FROM outbox WHERE status = 'pending'");
    }
}
