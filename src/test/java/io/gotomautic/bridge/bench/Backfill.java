package io.gotomautic.bridge.bench;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        admin("CREATE DATABASE " + db);
        try (GoToSimulator goTo = GoToSimulator.start(0, "bench", "bench", "bench").rateLimit(0, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "bench", "bench")) {
            seed(goTo, registrants, webinars);
            goTo.faults().latency(latency);
            mautic.faults().latency(latency);
            int port = freePort();
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
            admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Path.of("target/goto-mautic-bridge.jar").toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        var env = pb.environment();
        env.put("BRIDGE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + db);
        env.put("BRIDGE_HTTP_PORT", String.valueOf(port));
        env.put("GOTO_API_URL", goTo.baseUrl());
        env.put("GOTO_AUTH_URL", goTo.baseUrl());
        env.put("GOTO_CLIENT_ID", "bench");
        env.put("GOTO_CLIENT_SECRET", "bench");
        env.put("GOTO_REFRESH_TOKEN", "bench");
        env.put("GOTO_RATE_LIMIT", "100000/1s");
        env.put("GOTO_BURST_LIMIT", "100000/1s");
        env.put("MAUTIC_URL", mautic.baseUrl());
        env.put("MAUTIC_USERNAME", "bench");
        env.put("MAUTIC_PASSWORD", "bench");
        env.put("BRIDGE_POLL_WEBINAR", "15s");
        env.put("BRIDGE_PUSH_INTERVAL", "200ms");
        env.put("BRIDGE_TIMELINE_UTM", String.valueOf(utm));
        env.put("BRIDGE_TIMELINE_NOTES", String.valueOf(notes));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("bench/backfill.log").toFile()));
        return pb.start();
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
        return count(db, "SELECT count(*) FROM registration");
    }

    private static long pending(String db) throws Exception {
        return count(db, "SELECT count(*) FROM outbox WHERE status = 'pending'");
    }

    private static long count(String db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // tables not migrated yet
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
