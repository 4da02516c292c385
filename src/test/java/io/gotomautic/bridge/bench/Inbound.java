package io.gotomautic.bridge.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticWebhooks;

/**
 * The inbound path, measured: signed {@code mautic.form_on_submit} deliveries POSTed to the packaged service's
 * {@code /webhooks/mautic}, the service run as an operator runs it against the real PostgreSQL, the GoTo and
 * Mautic simulators in this JVM. Not a test: bench/run.sh runs it.
 *
 * <p>The deliveries are made by the Mautic simulator itself (the demo signup form submitted once per person, its
 * webhook pointed at a sink in this JVM that answers 200), so each body and {@code Webhook-Signature} is what
 * Mautic sends; they are made before the service starts and replayed to it, each one unique (its own submission).
 *
 * <p>Arguments:
 * <ul>
 * <li>{@code ack [rate seconds]} (default 200 60): open-loop load — a send is scheduled every 1/rate s whether or
 * not earlier ones have been answered, and each latency runs from the scheduled instant, so a slow answer delays
 * no later send and is not hidden. A 5 s warm-up at the same rate comes first and is left out of the percentiles.
 * Every second delivery names an upcoming webinar, so the inbox worker registers people (rate limit raised) while
 * the webhooks come in. Then the {@code inbox} table must hold exactly as many rows as were acknowledged.</li>
 * <li>{@code burst [submissions limit senders]} (default 5000 500/10s 32): every submission names one upcoming
 * webinar; all are POSTed at once by the senders, then the service drains the inbox through its GoTo rate limiter.
 * The service's {@code goto.rate-limit} and the GoTo simulator's own limit are the same, so a call over it is
 * answered 429. The drain runs from the first POST until every inbox row is done and GoTo holds every registrant;
 * its floor is the least time the limit allows for the GoTo calls made: (ceil(calls / N) - 1) * P.</li>
 * </ul>
 * The jar is {@code -Dbench.jar} (default target/goto-mautic-bridge.jar); the service's log is appended to
 * bench/inbound.log.
 */
public final class Inbound {

    private static final String SECRET = "bench-webhook-secret";
    private static final Path LOG = Path.of("bench/inbound.log");
    /** The paths the GoTo simulator's rate limit applies to (its token endpoint is not limited). */
    private static final Pattern LIMITED = Pattern.compile("^/(G2W|G2T|G2M|G2A|admin|identity)/");
    private static final Pattern STORED = Pattern.compile("\"stored\"\\s*:\\s*(\\d+)");
    private static final Pattern LIMIT = Pattern.compile("(\\d+)/(\\d+)(ms|s|m)");
    private static final Duration TIMEOUT = Duration.ofSeconds(15); // what Mautic waits for an answer
    private static final int WARM_UP_SECONDS = 5;
    private static final String DEFAULT_LIMIT = "500/10s";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A delivery as the Mautic simulator sent it: the raw body and its signature. */
    private record Delivery(byte[] body, String signature) {
    }

    private Inbound() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "ack" -> ack(arg(args, 1, 200), arg(args, 2, 60));
            case "burst" -> burst(arg(args, 1, 5000), args.length > 2 ? args[2] : DEFAULT_LIMIT, arg(args, 3, 32));
            default -> {
                System.err.println("usage: Inbound ack [rate seconds] | burst [submissions limit senders]");
                System.exit(2);
            }
        }
    }

    // ---- ack: webhook acknowledgement latency under open-loop load ----

    private static void ack(int rate, int seconds) throws Exception {
        int warmUp = rate * WARM_UP_SECONDS;
        int measured = rate * seconds;
        String db = "bench_inbound_" + System.currentTimeMillis();
        BenchService.admin("CREATE DATABASE " + db);
        try (GoToSimulator goTo = GoToSimulator.start(0, "bench", "bench", "bench").rateLimit(0, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "bench", "bench")) {
            long webinar = upcomingWebinar(goTo);
            String key = Long.toString(webinar);
            List<Delivery> deliveries = deliveries(mautic, warmUp + measured, i -> i % 2 == 0 ? key : null);
            int port = BenchService.freePort();
            Process bridge = start(db, port, goTo, mautic, "100000/1s", "ack " + rate + " " + seconds);
            try {
                BenchService.awaitReady(bridge, port, LOG);
                URI url = URI.create("http://127.0.0.1:" + port + "/webhooks/mautic");
                Load warm = openLoop(url, deliveries.subList(0, warmUp), rate);
                Load load = openLoop(url, deliveries.subList(warmUp, warmUp + measured), rate);
                // every answer is in: what the service acknowledged must already be in the inbox
                long inbox = BenchService.count(db, "SELECT count(*) FROM inbox WHERE source = 'mautic-webhook'");
                long done = BenchService.count(db, "SELECT count(*) FROM inbox WHERE status = 'done'");
                long dead = BenchService.count(db, "SELECT count(*) FROM dead_letter");
                int registrants = goTo.state().webinars().registrants(webinar).size();
                long acknowledged = warm.ok + load.ok;
                long stored = warm.stored + load.stored;
                long[] ok = load.okLatencies();

                System.out.printf(Locale.ROOT, "inbound ack: %d requests/s for %d s (after a %d s warm-up), open loop, "
                        + "half of them registering (rate limit 100000/1s)%s%n", rate, seconds, WARM_UP_SECONDS, nagle());
                System.out.printf(Locale.ROOT, "  deliveries              signed form_on_submit bodies of %.1f KB on average%n", kb(deliveries));
                System.out.printf(Locale.ROOT, "  requests sent           %d (sent over %.1f s; latest send %.1f ms behind schedule)%n",
                        load.sent, load.sendSpan / 1e9, load.maxLag / 1e6);
                System.out.printf(Locale.ROOT, "  answered 200            %d%n", load.ok);
                System.out.printf(Locale.ROOT, "  errors                  %d %s%n", load.sent - load.ok, load.errors);
                System.out.printf(Locale.ROOT, "  latency of the 200s     p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        percentile(ok, 50) / 1e6, percentile(ok, 90) / 1e6, percentile(ok, 99) / 1e6,
                        ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6);
                System.out.printf(Locale.ROOT, "  warm-up                 %d sent, %d answered 200, max %.1f ms%n", warm.sent, warm.ok,
                        warm.okLatencies().length == 0 ? Double.NaN : warm.okLatencies()[warm.okLatencies().length - 1] / 1e6);
                System.out.printf(Locale.ROOT, "  inbox rows              %d, acknowledged %d (stored %d per the answers): %s%n", inbox,
                        acknowledged, stored, inbox == acknowledged && stored == acknowledged ? "match" : "MISMATCH");
                System.out.printf(Locale.ROOT, "  inbox worker meanwhile  %d of %d rows done, %d GoTo registrants, %d dead letters%n",
                        done, inbox, registrants, dead);
            } finally {
                BenchService.stop(bridge);
            }
        } finally {
            BenchService.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** What one open-loop run saw. Latencies in ns from each request's scheduled instant; -1 = no 200. */
    private static final class Load {
        int sent;
        int ok;
        long stored;
        long maxLag;
        long sendSpan;
        long[] latency;
        Map<String, Integer> errors = new TreeMap<>();

        long[] okLatencies() {
            long[] ok = Arrays.stream(latency).filter(l -> l >= 0).toArray();
            Arrays.sort(ok);
            return ok;
        }
    }

    private static Load openLoop(URI url, List<Delivery> deliveries, int rate) {
        int n = deliveries.size();
        long[] latency = new long[n];
        String[] outcome = new String[n];
        long[] stored = new long[n];
        CompletableFuture<?>[] answers = new CompletableFuture<?>[n];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        long maxLag = 0;
        long lastSend = start;
        for (int i = 0; i < n; i++) {
            long scheduled = start + i * interval;
            for (long wait = scheduled - System.nanoTime(); wait > 0; wait = scheduled - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            lastSend = System.nanoTime();
            maxLag = Math.max(maxLag, lastSend - scheduled);
            int at = i;
            answers[i] = HTTP.sendAsync(post(url, deliveries.get(i)), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        long took = System.nanoTime() - scheduled;
                        if (e != null) {
                            latency[at] = -1;
                            Throwable cause = e.getCause() != null ? e.getCause() : e;
                            outcome[at] = cause.getClass().getSimpleName();
                        } else if (r.statusCode() != 200) {
                            latency[at] = -1;
                            outcome[at] = "HTTP " + r.statusCode();
                        } else {
                            latency[at] = took;
                            Matcher m = STORED.matcher(r.body());
                            stored[at] = m.find() ? Long.parseLong(m.group(1)) : 0;
                        }
                    });
        }
        CompletableFuture.allOf(answers).handle((v, e) -> null).join();
        Load load = new Load();
        load.sent = n;
        load.latency = latency;
        load.maxLag = maxLag;
        load.sendSpan = lastSend - start;
        for (int i = 0; i < n; i++) {
            if (outcome[i] == null) {
                load.ok++;
                load.stored += stored[i];
            } else {
                load.errors.merge(outcome[i], 1, Integer::sum);
            }
        }
        return load;
    }

    /** Nearest-rank percentile of sorted values; NaN when there are none. */
    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    // ---- burst: thousands of submissions at once, drained through the GoTo rate limiter ----

    private static void burst(int submissions, String limit, int senders) throws Exception {
        Matcher lm = LIMIT.matcher(limit);
        if (!lm.matches()) {
            throw new IllegalArgumentException("limit " + limit + ": write it calls/period, e.g. 1000/10s");
        }
        int calls = Integer.parseInt(lm.group(1));
        long amount = Long.parseLong(lm.group(2));
        Duration period = switch (lm.group(3)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        String per = lm.group(2) + lm.group(3);
        String db = "bench_inbound_" + System.currentTimeMillis();
        BenchService.admin("CREATE DATABASE " + db);
        try (GoToSimulator goTo = GoToSimulator.start(0, "bench", "bench", "bench").rateLimit(calls, period);
             MauticSimulator mautic = MauticSimulator.start(0, "bench", "bench")) {
            long webinar = upcomingWebinar(goTo);
            String key = Long.toString(webinar);
            List<Delivery> deliveries = deliveries(mautic, submissions, i -> key);
            int port = BenchService.freePort();
            Process bridge = start(db, port, goTo, mautic, limit, "burst " + submissions + " " + limit + " " + senders);
            try {
                BenchService.awaitReady(bridge, port, LOG);
                quiet(goTo, period);
                goTo.calls().reset();
                URI url = URI.create("http://127.0.0.1:" + port + "/webhooks/mautic");

                long t0 = System.nanoTime();
                // the GoTo calls received so far, every 100 ms: how close each period came to the limit
                List<long[]> samples = new CopyOnWriteArrayList<>();
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> samples.add(new long[] {System.nanoTime() - t0, goTo.calls().total()}),
                        0, 100, TimeUnit.MILLISECONDS);
                AtomicInteger next = new AtomicInteger();
                AtomicInteger acknowledged = new AtomicInteger();
                AtomicLong stored = new AtomicLong();
                Map<String, Integer> errors = new ConcurrentHashMap<>();
                ExecutorService pool = Executors.newFixedThreadPool(senders);
                for (int s = 0; s < senders; s++) {
                    pool.execute(() -> {
                        for (int i = next.getAndIncrement(); i < submissions; i = next.getAndIncrement()) {
                            try {
                                HttpResponse<String> r = HTTP.send(post(url, deliveries.get(i)), HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() == 200) {
                                    acknowledged.incrementAndGet();
                                    Matcher m = STORED.matcher(r.body());
                                    stored.addAndGet(m.find() ? Long.parseLong(m.group(1)) : 0);
                                } else {
                                    errors.merge("HTTP " + r.statusCode(), 1, Integer::sum);
                                }
                            } catch (IOException e) {
                                errors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    });
                }
                pool.shutdown();
                if (!pool.awaitTermination(30, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the senders did not finish in 30 minutes");
                }
                long ackTime = System.nanoTime() - t0;

                // drained: every inbox row done and GoTo holds every registrant (or every row settled, some dead)
                long done = 0;
                long dead = 0;
                int registrants = 0;
                String end = "drained";
                long lastProgress = System.nanoTime();
                long progress = -1;
                while (true) {
                    done = BenchService.count(db, "SELECT count(*) FROM inbox WHERE status = 'done'");
                    dead = BenchService.count(db, "SELECT count(*) FROM inbox WHERE status = 'dead'");
                    registrants = goTo.state().webinars().registrants(webinar).size();
                    if (done >= acknowledged.get() && registrants >= submissions) {
                        break;
                    }
                    if (done + dead >= acknowledged.get() && dead > 0) {
                        end = "settled with dead letters";
                        break;
                    }
                    if (done + dead + registrants != progress) {
                        progress = done + dead + registrants;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > TimeUnit.MINUTES.toNanos(3)) {
                        end = "STALLED (no progress for 3 minutes)";
                        break;
                    }
                    if (!bridge.isAlive()) {
                        throw new IllegalStateException("the service died; see bench/inbound.log");
                    }
                    Thread.sleep(100);
                }
                long drain = System.nanoTime() - t0;
                sampler.shutdownNow();
                Map<String, Long> perEndpoint = goTo.calls().snapshot();
                long goToCalls = goTo.calls().total();
                long throttled = goTo.calls().throttled();
                long limited = perEndpoint.entrySet().stream()
                        .filter(e -> LIMITED.matcher(e.getKey().substring(e.getKey().indexOf(' ') + 1)).find())
                        .mapToLong(Map.Entry::getValue).sum();
                long admitted = limited - throttled; // the calls the simulator's window let through
                long deadLetters = BenchService.count(db, "SELECT count(*) FROM dead_letter");
                long inbox = BenchService.count(db, "SELECT count(*) FROM inbox WHERE source = 'mautic-webhook'");
                long floorNanos = (long) Math.max(0, Math.ceil((double) admitted / calls) - 1) * period.toNanos();

                System.out.printf(Locale.ROOT, "inbound burst: %d submissions for one webinar, %d senders, rate limit %s "
                        + "(service and GoTo simulator)%s%n", submissions, senders, limit, nagle());
                System.out.printf(Locale.ROOT, "  deliveries              signed form_on_submit bodies of %.1f KB on average%n", kb(deliveries));
                System.out.printf(Locale.ROOT, "  acknowledged            %d of %d (stored %d, inbox rows %d) %s%n",
                        acknowledged.get(), submissions, stored.get(), inbox, errors.isEmpty() ? "" : "errors " + new TreeMap<>(errors));
                System.out.printf(Locale.ROOT, "  time to acknowledge all %.2f s%n", ackTime / 1e9);
                System.out.printf(Locale.ROOT, "  drain time              %.1f s (%s: %d inbox rows done, %d dead, %d GoTo registrants)%n",
                        drain / 1e9, end, done, dead, registrants);
                System.out.printf(Locale.ROOT, "  GoTo calls              %d (%d under the limit, %d answered 429): %s%n", goToCalls,
                        limited, throttled, perEndpoint);
                System.out.printf(Locale.ROOT, "  GoTo calls per %-8s    %s (from the first POST, sampled every 100 ms; limit %d)%n",
                        per, perPeriod(samples, period, goToCalls), calls);
                System.out.printf(Locale.ROOT, "  dead letters            %d%n", deadLetters);
                System.out.printf(Locale.ROOT, "  floor of the limit      %.1f s for %d calls at %s = (ceil(%d / %d) - 1) * %s%n",
                        floorNanos / 1e9, admitted, limit, admitted, calls, per);
                System.out.printf(Locale.ROOT, "  drain over the floor    %s%n", floorNanos == 0 ? "n/a (floor 0)"
                        : String.format(Locale.ROOT, "%+.1f %%", (drain - floorNanos) * 100.0 / floorNanos));
            } finally {
                BenchService.stop(bridge);
            }
        } finally {
            BenchService.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** Calls received in each consecutive period from the first POST; the last one partial. */
    private static List<Long> perPeriod(List<long[]> samples, Duration period, long finalTotal) {
        List<Long> out = new ArrayList<>();
        long previous = 0;
        long boundary = period.toNanos();
        long atBoundary = 0;
        for (long[] s : samples) {
            while (s[0] > boundary) {
                out.add(atBoundary - previous);
                previous = atBoundary;
                boundary += period.toNanos();
            }
            atBoundary = s[1];
        }
        out.add(finalTotal - previous);
        return out;
    }

    /** Waits until GoTo has had no call for one period (the service's start-up polls are over), at most 10 periods. */
    private static void quiet(GoToSimulator goTo, Duration period) throws InterruptedException {
        long deadline = System.nanoTime() + period.toNanos() * 10;
        long seen = goTo.calls().total();
        long since = System.nanoTime();
        while (System.nanoTime() - since < period.toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = goTo.calls().total();
            if (now != seen) {
                seen = now;
                since = System.nanoTime();
            }
        }
    }

    // ---- shared ----

    private static double kb(List<Delivery> deliveries) {
        return deliveries.stream().mapToInt(d -> d.body().length).average().orElse(0) / 1024;
    }

    private static String nagle() {
        return Boolean.getBoolean("sun.net.httpserver.nodelay") ? "" : "; simulators with Nagle on (+~40 ms per answer)";
    }

    private static int arg(String[] args, int i, int otherwise) {
        return args.length > i ? Integer.parseInt(args[i]) : otherwise;
    }

    private static HttpRequest post(URI url, Delivery d) {
        return HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .header("Webhook-Signature", d.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body())).build();
    }

    /** One webinar a week ahead, open for registration. */
    private static long upcomingWebinar(GoToSimulator goTo) {
        Instant start = Instant.now().plus(Duration.ofDays(7));
        return goTo.state().webinars().add(GoToWebinars.webinar("Inbound bench webinar")
                .times(TimeRange.of(start, Duration.ofHours(1)))).key();
    }

    /**
     * {@code n} form submissions as the Mautic simulator delivers them: its demo signup form, submitted once per
     * person ({@code webinarOf} gives the goto_webinar answer or null), its webhook pointed at a sink here.
     */
    private static List<Delivery> deliveries(MauticSimulator mautic, int n, IntFunction<String> webinarOf) throws IOException {
        HttpServer sink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sink.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        sink.start();
        try {
            MauticDemo.seed(mautic);
            mautic.registerHook("http://127.0.0.1:" + sink.getAddress().getPort() + "/sink", SECRET, "mautic.form_on_submit");
            for (int i = 0; i < n; i++) {
                Map<String, String> results = new LinkedHashMap<>();
                results.put("email", "person" + i + "@inbound.example.com");
                results.put("firstname", "First" + i);
                results.put("lastname", "Last" + i);
                String webinar = webinarOf.apply(i);
                if (webinar != null) {
                    results.put(MauticDemo.SELECT_FIELD, webinar);
                }
                mautic.submitForm(MauticDemo.FORM_ALIAS, results);
            }
        } finally {
            sink.stop(0);
        }
        List<Delivery> out = new ArrayList<>(n);
        for (MauticWebhooks.Delivery d : mautic.deliveries()) {
            if (d.eventTypes().equals(List.of("mautic.form_on_submit")) && d.status() == 200) {
                out.add(new Delivery(d.body().getBytes(StandardCharsets.UTF_8), d.signature()));
            }
        }
        if (out.size() != n) {
            throw new IllegalStateException("the Mautic simulator delivered " + out.size() + " form submissions, not " + n);
        }
        return out;
    }

    private static Process start(String db, int port, GoToSimulator goTo, MauticSimulator mautic, String rateLimit, String what)
            throws Exception {
        // the limit under test is the only one: the default would add GoTo's 10/1s
        return BenchService.start(db, port, goTo, mautic, Map.of("GOTO_RATE_LIMIT", rateLimit, "GOTO_BURST_LIMIT", rateLimit,
                "MAUTIC_WEBHOOK_SECRET", SECRET), LOG, "bench Inbound " + what);
    }
}
