package io.gotomautic.bridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import io.gotomautic.bridge.sandbox.MauticWebhooks;

/**
 * The fault suite: the packaged service driven against the simulators and the local PostgreSQL through the faults an
 * operator meets — SIGKILL in the middle of a backfill and of a burst of form submissions, GoTo answering 429 and 5xx,
 * hanging and expiring its tokens, Mautic down, two instances on one database, and bad webhook inputs. Each scenario
 * ends by comparing what GoTo holds with what Mautic shows: people lost, changes applied twice, wrong memberships, and
 * dead letters (none of these faults is anybody's data being wrong, so every dead letter counts against the bridge).
 * Not a test: bench/faults.sh runs it; it exits 1 when any figure is not zero.
 *
 * <p>Arguments: {@code short} (one trial per scenario, short outages: what CI runs) or {@code full} (ten kill trials
 * each, Mautic down for two minutes), then optionally the names of the scenarios to run.
 */
public final class FaultSuite {

    private static final Path LOG = Path.of("bench/faults.log");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    // distinctive, so the log check below can tell a leak from an ordinary word
    private static final String HOOK_SECRET = "fault-hook-secret-5d1e";
    private static final String CAMPAIGN_TOKEN = "fault-campaign-token-83a0";
    private static final String CLIENT_ID = "fault-client";
    private static final String CLIENT_SECRET = "fault-client-secret-27c4";
    private static final String REFRESH_TOKEN = "fault-refresh-token-e9b2";
    private static final String MAUTIC_USER = "fault-api";
    private static final String MAUTIC_PASSWORD = "fault-mautic-password-41f7";
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile(
            "([A-Za-z0-9._%+*-]+)(@|%40)[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    private static final String REGISTER = "POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants";
    private static final String LIST = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars";

    /** What one scenario found, summed over its trials. */
    record Outcome(String scenario, int trials, long lost, long duplicated, long wrong, long deadLetters, double seconds,
                   String note) {
        boolean clean() {
            return lost == 0 && duplicated == 0 && wrong == 0 && deadLetters == 0;
        }
    }

    /** What one check of Mautic against GoTo found. */
    private record Tally(long lost, long duplicated, long wrong, long deadLetters) {
        Tally plus(Tally o) {
            return new Tally(lost + o.lost, duplicated + o.duplicated, wrong + o.wrong, deadLetters + o.deadLetters);
        }
    }

    private final boolean full;
    private final Random random = new Random(20261201L);

    private FaultSuite(boolean full) {
        this.full = full;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("short") || args[0].equals("full"))) {
            System.err.println("usage: FaultSuite short|full [scenario ...]");
            System.exit(2);
        }
        FaultSuite suite = new FaultSuite(args[0].equals("full"));
        Set<String> only = Set.of(java.util.Arrays.copyOfRange(args, 1, args.length));
        Map<String, Scenario> scenarios = new LinkedHashMap<>();
        scenarios.put("backfill-kill", suite::backfillKill);
        scenarios.put("burst-kill", suite::burstKill);
        scenarios.put("goto-faults", suite::goToFaults);
        scenarios.put("mautic-down", suite::mauticDown);
        scenarios.put("revoked-token", suite::revokedToken);
        scenarios.put("no-field-permission", suite::noFieldPermission);
        scenarios.put("two-instances", suite::twoInstances);
        scenarios.put("bad-webhooks", suite::badWebhooks);
        scenarios.put("log-privacy", suite::logPrivacy);
        List<Outcome> outcomes = new ArrayList<>();
        for (Map.Entry<String, Scenario> s : scenarios.entrySet()) {
            if (only.isEmpty() || only.contains(s.getKey())) {
                long t0 = System.nanoTime();
                Outcome o = s.getValue().run(s.getKey());
                outcomes.add(o);
                print(o, (System.nanoTime() - t0) / 1e9);
            }
        }
        long dirty = outcomes.stream().filter(o -> !o.clean()).count();
        System.out.printf(Locale.ROOT, "fault suite (%s): %d scenarios, %d with something lost, doubled, wrong or dead-lettered%n",
                args[0], outcomes.size(), dirty);
        System.exit(dirty == 0 ? 0 : 1);
    }

    @FunctionalInterface
    private interface Scenario {
        Outcome run(String name) throws Exception;
    }

    private static void print(Outcome o, double seconds) {
        System.out.printf(Locale.ROOT, "%-14s trials %2d  lost %d  duplicated %d  wrong %d  dead letters %d  %6.1f s  %s%s%n",
                o.scenario(), o.trials(), o.lost(), o.duplicated(), o.wrong(), o.deadLetters(), seconds, o.note(),
                o.clean() ? "" : "  <-- NOT CLEAN");
    }

    // ---- SIGKILL mid-backfill ----

    /**
     * Past webinars with half their registrants attended, pushed with a UTM row per person (one Mautic call each, so
     * a kill lands between the calls of one change). Each trial kills the service at a random point — during the pull
     * on even trials, during the push on odd ones — starts it again, and checks Mautic once everything is delivered.
     */
    private Outcome backfillKill(String name) throws Exception {
        int trials = full ? 10 : 1;
        int webinars = 3;
        int each = 120;
        Tally sum = new Tally(0, 0, 0, 0);
        List<String> kills = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < trials; t++) {
            try (Run run = new Run(name + " " + t); GoToSimulator goTo = goToSimulator()
                    .rateLimit(0, Duration.ofSeconds(1)); MauticSimulator mautic = mauticSimulator()) {
                List<Long> keys = pastWebinars(goTo, webinars, each);
                goTo.faults().latency(Duration.ofMillis(5));
                mautic.faults().latency(Duration.ofMillis(10));
                Map<String, String> env = Map.of("BRIDGE_TIMELINE_UTM", "true", "BRIDGE_TIMELINE_NOTES", "false");
                Process first = run.start(goTo, mautic, env);
                int people = webinars * each;
                if (t % 2 == 0) {
                    await(Duration.ofSeconds(120), () -> goTo.calls().total() > 2);
                    Thread.sleep(random.nextInt(1500));
                } else {
                    long target = people / 10 + random.nextInt(people * 8 / 10);
                    await(Duration.ofSeconds(180), () -> utmRows(mautic.state()) >= target);
                }
                long atKill = utmRows(mautic.state());
                kill(first);
                kills.add(atKill + "/" + people);
                Process second = run.start(goTo, mautic, env);
                await(Duration.ofSeconds(300), () -> run.count("SELECT count(*) FROM registration") >= people
                        && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0 && utmRows(mautic.state()) >= people);
                BenchService.stop(second);
                sum = sum.plus(checkWebinars(goTo, mautic, keys, run)).plus(utmOnce(mautic.state()));
            }
        }
        return outcome(name, trials, sum, t0, "UTM rows at the kill " + kills);
    }

    // ---- SIGKILL mid-burst ----

    /**
     * Form submissions for one webinar, every one acknowledged, the service killed while it registers them (GoTo slow),
     * started again: everybody registered once, with the join URL on their contact.
     */
    private Outcome burstKill(String name) throws Exception {
        int trials = full ? 10 : 1;
        int people = 40;
        Tally sum = new Tally(0, 0, 0, 0);
        long extraPosts = 0;
        long t0 = System.nanoTime();
        for (int t = 0; t < trials; t++) {
            try (Run run = new Run(name + " " + t); GoToSimulator goTo = goToSimulator();
                 MauticSimulator mautic = mauticSimulator()) {
                MauticDemo.seed(mautic);
                long key = upcomingWebinar(goTo, "Burst webinar");
                goTo.faults().latency(Duration.ofMillis(100));
                Process first = startAndSubmit(run, goTo, mautic, key, "burst", people);
                long refused = mautic.deliveries().stream().filter(d -> d.status() != 200).count();
                int killAt = 2 + random.nextInt(people - 4);
                await(Duration.ofSeconds(120), () -> goTo.state().webinars().registrants(key).size() >= killAt);
                kill(first);
                Process second = run.start(goTo, mautic, Map.of());
                await(Duration.ofSeconds(180), () -> run.count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                        && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0);
                BenchService.stop(second);
                List<GoToWebinars.Registrant> registrants = goTo.state().webinars().registrants(key);
                long distinct = registrants.stream().map(r -> r.email().toLowerCase(Locale.ROOT)).distinct().count();
                long lost = refused + (people - distinct);
                long duplicated = registrants.size() - distinct + Math.max(0, run.count("SELECT count(*) FROM registration") - people);
                long wrong = 0;
                for (GoToWebinars.Registrant r : registrants) {
                    String url = mautic.state().contactByEmail(r.email()).map(c -> c.field("goto_join_url")).orElse(null);
                    if (!r.joinUrl().equals(url)) {
                        wrong++;
                    }
                }
                // one registration may be in flight at the kill: its retry meets GoTo's 409, which is not a duplicate
                extraPosts += goTo.calls().count(REGISTER) - people;
                sum = sum.plus(new Tally(lost, duplicated, wrong, run.count("SELECT count(*) FROM dead_letter")));
            }
        }
        return outcome(name, trials, sum, t0, "registration calls beyond one per person: " + extraPosts + " (each met 409)");
    }

    // ---- GoTo misbehaving ----

    /**
     * A backfill while GoTo answers the first registrant pages and then a third of them 429 (Retry-After 1 s), a third of the attendee
     * calls 503, hangs on two session calls past the client's timeout, and expires every token mid-run.
     */
    private Outcome goToFaults(String name) throws Exception {
        long t0 = System.nanoTime();
        try (Run run = new Run(name); GoToSimulator goTo = goToSimulator()
                .rateLimit(0, Duration.ofSeconds(1)); MauticSimulator mautic = mauticSimulator()) {
            List<Long> keys = pastWebinars(goTo, 4, 60);
            // the first three registrant pages surely, then a third of them: a poll settles past webinars it has read
            goTo.faults().on("/registrants").status(429).retryAfter(1).times(3);
            goTo.faults().on("/registrants").status(429).retryAfter(1).rate(0.33);
            goTo.faults().on("/attendees").status(503).rate(0.33);
            goTo.faults().on("/sessions$").hang(Duration.ofSeconds(8)).times(2);
            goTo.tokenLifetime(Duration.ofSeconds(70));
            Process bridge = run.start(goTo, mautic, Map.of("BRIDGE_HTTP_TIMEOUT", "5s"));
            await(Duration.ofSeconds(60), () -> goTo.calls().throttled() > 0);
            goTo.expireAllTokens();
            await(Duration.ofSeconds(300), () -> run.count("SELECT count(*) FROM registration") >= 240
                    && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0 && attendedPushed(mautic.state(), keys, 30));
            BenchService.stop(bridge);
            Tally tally = checkWebinars(goTo, mautic, keys, run);
            return outcome(name, 1, tally, t0, goTo.calls().throttled() + " calls answered 429");
        }
    }

    // ---- Mautic down ----

    /** Mautic answers 503 to everything for a while in the middle of a backfill; /health must stay UP meanwhile. */
    private Outcome mauticDown(String name) throws Exception {
        long t0 = System.nanoTime();
        Duration down = full ? Duration.ofMinutes(2) : Duration.ofSeconds(20);
        try (Run run = new Run(name); GoToSimulator goTo = goToSimulator()
                .rateLimit(0, Duration.ofSeconds(1)); MauticSimulator mautic = mauticSimulator()) {
            List<Long> keys = pastWebinars(goTo, 3, 100);
            mautic.faults().latency(Duration.ofMillis(10));
            Process bridge = run.start(goTo, mautic, Map.of("BRIDGE_TIMELINE_UTM", "true", "BRIDGE_TIMELINE_NOTES", "false"));
            await(Duration.ofSeconds(120), () -> utmRows(mautic.state()) >= 30);
            mautic.faults().all().status(503);
            long unhealthy = 0;
            long samples = 0;
            long until = System.nanoTime() + down.toNanos();
            while (System.nanoTime() < until) {
                samples++;
                if (run.health() != 200) {
                    unhealthy++;
                }
                Thread.sleep(1000);
            }
            mautic.faults().clear();
            await(Duration.ofSeconds(300), () -> run.count("SELECT count(*) FROM registration") >= 300
                    && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0 && utmRows(mautic.state()) >= 300);
            BenchService.stop(bridge);
            Tally tally = checkWebinars(goTo, mautic, keys, run).plus(utmOnce(mautic.state()));
            // orchestrators restart what /health calls DOWN: someone else's outage must not restart the bridge
            tally = tally.plus(new Tally(0, 0, unhealthy, 0));
            return outcome(name, 1, tally, t0, "down " + down.toSeconds() + " s; /health not 200 in " + unhealthy + " of " + samples
                    + " samples (counted as wrong)");
        }
    }

    // ---- settings refused: nothing may become a dead letter ----

    /**
     * GoTo revokes the grant while form submissions are being registered: the rest waits (no dead letter), /health
     * says the goto part is held, and a restart with the new refresh token registers everybody once.
     */
    private Outcome revokedToken(String name) throws Exception {
        long t0 = System.nanoTime();
        int people = 20;
        try (Run run = new Run(name); GoToSimulator goTo = goToSimulator(); MauticSimulator mautic = mauticSimulator()) {
            MauticDemo.seed(mautic);
            long key = upcomingWebinar(goTo, "Revoked webinar");
            goTo.faults().latency(Duration.ofMillis(50));
            Process first = startAndSubmit(run, goTo, mautic, key, "revoked", people);
            await(Duration.ofSeconds(60), () -> goTo.state().webinars().registrants(key).size() >= 3);
            String renewed = goTo.revokeRefreshToken();
            goTo.expireAllTokens();
            boolean held = awaitQuietly(Duration.ofSeconds(60), () -> run.health() == 503);
            long deadWhileHeld = run.count("SELECT count(*) FROM dead_letter");
            BenchService.stop(first);
            Process second = run.start(goTo, mautic, Map.of("GOTO_REFRESH_TOKEN", renewed));
            await(Duration.ofSeconds(120), () -> run.count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                    && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0);
            boolean healthy = awaitQuietly(Duration.ofSeconds(30), () -> run.health() == 200);
            BenchService.stop(second);
            List<GoToWebinars.Registrant> registrants = goTo.state().webinars().registrants(key);
            long distinct = registrants.stream().map(r -> r.email().toLowerCase(Locale.ROOT)).distinct().count();
            Tally tally = new Tally(people - distinct, registrants.size() - distinct, (held ? 0 : 1) + (healthy ? 0 : 1),
                    run.count("SELECT count(*) FROM dead_letter"));
            return outcome(name, 1, tally, t0, "held (/health 503) " + held + ", dead letters while held " + deadWhileHeld
                    + ", healthy after the new token " + healthy);
        }
    }

    /**
     * The Mautic API user may not create contact fields: the push holds (no dead letter), /health says so, and once the
     * permission is granted the queue drains within a minute.
     */
    private Outcome noFieldPermission(String name) throws Exception {
        long t0 = System.nanoTime();
        try (Run run = new Run(name); GoToSimulator goTo = goToSimulator(); MauticSimulator mautic = mauticSimulator()) {
            List<Long> keys = pastWebinars(goTo, 2, 50);
            mautic.permission("POST", "/api/fields/contact/new", false);
            Process bridge = run.start(goTo, mautic, Map.of());
            await(Duration.ofSeconds(60), () -> run.count("SELECT count(*) FROM registration") >= 100);
            boolean held = awaitQuietly(Duration.ofSeconds(60), () -> run.health() == 503);
            long deadWhileHeld = run.count("SELECT count(*) FROM dead_letter");
            mautic.permission("POST", "/api/fields/contact/new", true);
            long granted = System.nanoTime();
            // a build that dead-letters the changes never gets them into Mautic: that is this scenario's finding, not a crash
            boolean drained = awaitQuietly(Duration.ofSeconds(180), () -> run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0
                    && attendedPushed(mautic.state(), keys, 25));
            double resumed = drained ? (System.nanoTime() - granted) / 1e9 : Double.POSITIVE_INFINITY;
            boolean healthy = awaitQuietly(Duration.ofSeconds(30), () -> run.health() == 200);
            BenchService.stop(bridge);
            Tally tally = checkWebinars(goTo, mautic, keys, run)
                    .plus(new Tally(0, 0, (held ? 0 : 1) + (healthy ? 0 : 1) + (resumed > 60 ? 1 : 0), 0));
            return outcome(name, 1, tally, t0, String.format(Locale.ROOT, "held (/health 503) %s, dead letters while held %d, "
                    + "drained %.1f s after the grant, healthy after %s", held, deadWhileHeld, resumed, healthy));
        }
    }

    // ---- two instances on one database ----

    /** Two services on one PostgreSQL: each poll runs once per cycle, and a burst of submissions registers each person once. */
    private Outcome twoInstances(String name) throws Exception {
        long t0 = System.nanoTime();
        int people = 40;
        try (Run run = new Run(name); Run other = run.sharing();
             GoToSimulator goTo = goToSimulator();
             MauticSimulator mautic = mauticSimulator()) {
            MauticDemo.seed(mautic);
            long key = upcomingWebinar(goTo, "Shared webinar");
            goTo.faults().latency(Duration.ofMillis(30));
            Map<String, String> env = Map.of("BRIDGE_POLL_WEBINAR", "4s");
            Process a = run.start(goTo, mautic, env);
            Process b = other.start(goTo, mautic, env);
            BenchService.awaitReady(a, run.port, LOG);
            BenchService.awaitReady(b, other.port, LOG);
            long lists = goTo.calls().count(LIST);
            Instant from = Instant.now();
            // half the submissions reach each instance, as behind a load balancer
            for (Run to : List.of(run, other)) {
                mautic.registerHook(to.url("/webhooks/mautic"), HOOK_SECRET, "mautic.form_on_submit");
                for (int i = 0; i < people / 2; i++) {
                    mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "shared" + to.port + "-" + i + "@example.com",
                            "firstname", "S" + i, MauticDemo.SELECT_FIELD, String.valueOf(key)));
                }
                mautic.state().hooks().forEach(h -> mautic.state().deleteHook(h.id()));
            }
            await(Duration.ofSeconds(180), () -> run.count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                    && run.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0
                    && goTo.state().webinars().registrants(key).size() >= people);
            Thread.sleep(12_000);
            double cycles = Duration.between(from, Instant.now()).toMillis() / 4000.0;
            long polls = goTo.calls().count(LIST) - lists;
            BenchService.stop(a);
            BenchService.stop(b);
            long posts = goTo.calls().count(REGISTER);
            long registrants = goTo.state().webinars().registrants(key).size();
            // a poll run by both instances in one cycle counts as one doubled
            long doubledPolls = Math.max(0, polls - (long) Math.ceil(cycles) - 1);
            Tally tally = new Tally(people - registrants, Math.max(0, posts - people) + doubledPolls, 0,
                    run.count("SELECT count(*) FROM dead_letter"));
            return outcome(name, 1, tally, t0, String.format(Locale.ROOT, "%d webinar polls in %.1f cycles; %d registration calls for %d people",
                    polls, cycles, posts, people));
        }
    }

    // ---- bad webhook inputs ----

    /** One bad or edge-case request and the answer it must get. */
    private record Bad(String what, String method, String path, Map<String, String> headers, String body, int expected) {
    }

    /**
     * Thirty-odd requests that are wrong in one way each: every one must get its status code, and afterwards the inbox
     * holds exactly the deliveries that were acceptable, GoTo exactly the registrations that were valid.
     */
    private Outcome badWebhooks(String name) throws Exception {
        long t0 = System.nanoTime();
        try (Run run = new Run(name); GoToSimulator goTo = goToSimulator();
             MauticSimulator mautic = mauticSimulator()) {
            MauticDemo.seed(mautic);
            long key = upcomingWebinar(goTo, "Input webinar");
            Process bridge = run.start(goTo, mautic, Map.of());
            BenchService.awaitReady(bridge, run.port, LOG);
            // the simulator signs and sends its form_on_submit bodies to a port where nothing listens: the suite sends them
            mautic.registerHook("http://127.0.0.1:9/nowhere", HOOK_SECRET, "mautic.form_on_submit");
            String valid = formDelivery(mautic, "valid@example.com", String.valueOf(key));
            String noEmail = formDelivery(mautic, "", String.valueOf(key));
            String badKey = formDelivery(mautic, "badkey@example.com", "not-a-key");
            List<Bad> cases = badCases(valid, noEmail, badKey, key);
            long wrongAnswers = 0;
            List<String> wrong = new ArrayList<>();
            for (Bad c : cases) {
                int status = run.send(c.method(), c.path(), c.headers(), c.body());
                if (status != c.expected()) {
                    wrongAnswers++;
                    wrong.add(c.what() + ": " + status + " not " + c.expected());
                }
            }
            // accepted: the valid form (stored once though sent twice), the form without email and the one with a bad key
            // (dead letters with their reasons, no GoTo call), the test payload (done), and the valid campaign call
            await(Duration.ofSeconds(60), () -> run.count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
            BenchService.stop(bridge);
            long inbox = run.count("SELECT count(*) FROM inbox");
            long dead = run.count("SELECT count(*) FROM dead_letter");
            long registrants = goTo.state().webinars().registrants(key).size();
            long posts = goTo.calls().count(REGISTER);
            long expectedInbox = 5;
            long wrongStored = Math.abs(inbox - expectedInbox) + Math.abs(registrants - 2) + Math.max(0, posts - 2);
            if (inbox != expectedInbox) {
                wrong.add("inbox rows " + inbox + " not " + expectedInbox);
            }
            // the two dead letters are the bad data's own (no email, not a GoTo key): the suite expects exactly those
            Tally tally = new Tally(Math.max(0, 2 - registrants), 0, wrongAnswers + wrongStored, Math.abs(dead - 2));
            return outcome(name, 1, tally, t0, cases.size() + " requests" + (wrong.isEmpty() ? "" : "; " + wrong));
        }
    }

    private static List<Bad> badCases(String valid, String noEmail, String badKey, long key) {
        String hook = "/webhooks/mautic";
        String campaign = "/hooks/campaign";
        String sig = MauticWebhooks.sign(valid, HOOK_SECRET);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        String form = "application/x-www-form-urlencoded";
        String register = "action=register-webinar&email=campaign%40example.com&firstname=C&event_key=" + key;
        String big = "{\"mautic.form_on_submit\":[{\"pad\":\"" + "x".repeat(1_100_000) + "\"}]}";
        List<Bad> c = new ArrayList<>();
        c.add(new Bad("webhook without signature", "POST", hook, json, valid, 401));
        c.add(new Bad("webhook with a wrong signature", "POST", hook, signed(json, "AAAA" + sig.substring(4)), valid, 401));
        c.add(new Bad("webhook signed with another secret", "POST", hook,
                signed(json, MauticWebhooks.sign(valid, "other")), valid, 401));
        c.add(new Bad("webhook signature not base64", "POST", hook, signed(json, "%%%"), valid, 401));
        c.add(new Bad("webhook empty signature", "POST", hook, signed(json, ""), valid, 401));
        c.add(new Bad("webhook body changed after signing", "POST", hook, signed(json, sig), valid.replace("valid@", "other@"), 401));
        c.add(new Bad("webhook signature in the query", "POST", hook + "?Webhook-Signature=" + enc(sig), json, valid, 401));
        c.add(new Bad("webhook empty body", "POST", hook, signed(json, MauticWebhooks.sign("", HOOK_SECRET)), "", 400));
        c.add(new Bad("webhook not JSON", "POST", hook, signed(json, MauticWebhooks.sign("hello", HOOK_SECRET)), "hello", 400));
        c.add(new Bad("webhook truncated JSON", "POST", hook, signed(json, MauticWebhooks.sign(valid.substring(0, 40), HOOK_SECRET)),
                valid.substring(0, 40), 400));
        c.add(new Bad("webhook JSON array", "POST", hook, signed(json, MauticWebhooks.sign("[1,2]", HOOK_SECRET)), "[1,2]", 400));
        c.add(new Bad("webhook over 1 MB", "POST", hook, signed(json, MauticWebhooks.sign(big, HOOK_SECRET)), big, 413));
        c.add(new Bad("webhook GET", "GET", hook, Map.of(), null, 405));
        c.add(new Bad("webhook PUT", "PUT", hook, signed(json, sig), valid, 405));
        c.add(new Bad("webhook valid form submission", "POST", hook, signed(json, sig), valid, 200));
        c.add(new Bad("webhook redelivered", "POST", hook, signed(json, sig), valid, 200));
        c.add(new Bad("webhook form without email", "POST", hook, signed(json, MauticWebhooks.sign(noEmail, HOOK_SECRET)), noEmail, 200));
        c.add(new Bad("webhook form with a bad event key", "POST", hook, signed(json, MauticWebhooks.sign(badKey, HOOK_SECRET)),
                badKey, 200));
        String test = "{\"mautic.lead_post_save_new\":[{\"contact\":{\"id\":1,\"fields\":{\"core\":{}}}}],\"timestamp\":\"2026-12-01T00:00:00+00:00\"}";
        c.add(new Bad("webhook event that asks for nothing", "POST", hook, signed(json, MauticWebhooks.sign(test, HOOK_SECRET)), test, 200));
        Map<String, String> formType = Map.of("Content-Type", form);
        c.add(new Bad("campaign without token", "POST", campaign, formType, register, 401));
        c.add(new Bad("campaign wrong token", "POST", campaign, token(formType, "nope"), register, 401));
        c.add(new Bad("campaign empty token", "POST", campaign, token(formType, ""), register, 401));
        c.add(new Bad("campaign token in the query", "POST", campaign + "?X-Bridge-Token=" + CAMPAIGN_TOKEN, formType, register, 401));
        c.add(new Bad("campaign token in the form", "POST", campaign, formType, register + "&X-Bridge-Token=" + CAMPAIGN_TOKEN, 401));
        Map<String, String> ok = token(formType, CAMPAIGN_TOKEN);
        c.add(new Bad("campaign unknown action", "POST", campaign, ok, "action=dance&email=a%40example.com", 400));
        c.add(new Bad("campaign no action", "POST", campaign, ok, "email=a%40example.com&event_key=" + key, 400));
        c.add(new Bad("campaign no email", "POST", campaign, ok, "action=register-webinar&event_key=" + key, 400));
        c.add(new Bad("campaign invalid email", "POST", campaign, ok, "action=register-webinar&email=nope&event_key=" + key, 400));
        c.add(new Bad("campaign no event key", "POST", campaign, ok, "action=register-webinar&email=a%40example.com", 400));
        c.add(new Bad("campaign event key not a GoTo key", "POST", campaign, ok,
                "action=register-webinar&email=a%40example.com&event_key=12ab", 400));
        c.add(new Bad("campaign event key out of range", "POST", campaign, ok,
                "action=register-webinar&email=a%40example.com&event_key=99999999999999999999", 400));
        c.add(new Bad("campaign link without email_id", "POST", campaign, ok, "action=meeting-link&contact_id=3&email=a%40example.com", 400));
        c.add(new Bad("campaign malformed JSON", "POST", campaign, token(json, CAMPAIGN_TOKEN), "{\"action\":", 400));
        c.add(new Bad("campaign empty body", "POST", campaign, ok, "", 400));
        c.add(new Bad("campaign over 1 MB", "POST", campaign, ok, "action=register-webinar&pad=" + "x".repeat(1_100_000), 413));
        c.add(new Bad("campaign GET", "GET", campaign, Map.of("X-Bridge-Token", CAMPAIGN_TOKEN), null, 405));
        c.add(new Bad("campaign valid registration", "POST", campaign, ok, register, 200));
        return c;
    }

    private static Map<String, String> signed(Map<String, String> headers, String signature) {
        Map<String, String> h = new HashMap<>(headers);
        h.put("Webhook-Signature", signature);
        return h;
    }

    private static Map<String, String> token(Map<String, String> headers, String token) {
        Map<String, String> h = new HashMap<>(headers);
        h.put("X-Bridge-Token", token);
        return h;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A form_on_submit body exactly as the Mautic simulator signs and sends it. */
    private static String formDelivery(MauticSimulator mautic, String email, String eventKey) {
        Map<String, String> results = new LinkedHashMap<>();
        results.put("email", email);
        results.put("firstname", "Input");
        results.put(MauticDemo.SELECT_FIELD, eventKey);
        mautic.submitForm(MauticDemo.FORM_ALIAS, results);
        List<MauticWebhooks.Delivery> sent = mautic.deliveries();
        return sent.get(sent.size() - 1).body();
    }

    // ---- the log of everything above ----

    /**
     * The services' log of the scenarios run before this one: no secret, no token and no whole email address (INFO and
     * WARN lines mask them as {@code j***@example.com}). The suite's people all have addresses; none may show.
     */
    private Outcome logPrivacy(String name) throws Exception {
        long t0 = System.nanoTime();
        List<String> secrets = List.of(HOOK_SECRET, CAMPAIGN_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, MAUTIC_PASSWORD);
        long leaks = 0;
        long lines = 0;
        List<String> seen = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(LOG)) {
            lines++;
            boolean leak = secrets.stream().anyMatch(line::contains);
            java.util.regex.Matcher m = ADDRESS.matcher(line);
            while (m.find()) {
                leak |= !m.group(1).contains("***");
            }
            if (leak) {
                leaks++;
                if (seen.size() < 3) {
                    seen.add(line.length() > 160 ? line.substring(0, 160) + "..." : line);
                }
            }
        }
        return outcome(name, 1, new Tally(0, 0, leaks, 0), t0, lines + " log lines read, " + leaks + " with a secret or an address"
                + (seen.isEmpty() ? "" : ": " + seen));
    }

    // ---- checks ----

    /**
     * Every GoTo registrant of the webinars is one Mautic contact, in the webinar's registered segment and in exactly
     * one of attended / no-show as GoTo's attendance says; nobody else is in those segments.
     */
    private static Tally checkWebinars(GoToSimulator goTo, MauticSimulator mautic, List<Long> keys, Run run) throws Exception {
        MauticState state = mautic.state();
        long lost = 0;
        long wrong = 0;
        for (long key : keys) {
            GoToWebinars.Webinar w = goTo.state().webinars().webinar(key).orElseThrow();
            Set<Long> attendedKeys = new java.util.HashSet<>();
            goTo.state().webinars().sessions(key).forEach(s -> goTo.state().webinars().attendance(s.key())
                    .forEach(a -> attendedKeys.add(a.registrantKey())));
            Map<String, Set<Long>> members = new HashMap<>();
            for (String label : List.of("registered", "attended", "no-show")) {
                members.put(label, state.segments().stream().filter(s -> s.name().startsWith("GoToWebinar · " + w.subject() + " · ")
                        && s.name().endsWith(" · " + label)).findFirst().map(s -> state.segmentMembers(s.id())).orElse(Set.of()));
            }
            Set<Long> expected = new java.util.HashSet<>();
            for (GoToWebinars.Registrant r : goTo.state().webinars().registrants(key)) {
                var contact = state.contactByEmail(r.email());
                if (contact.isEmpty()) {
                    lost++;
                    continue;
                }
                long id = contact.get().id();
                expected.add(id);
                boolean attended = attendedKeys.contains(r.key());
                if (!members.get("registered").contains(id)) {
                    lost++;
                }
                if (!members.get(attended ? "attended" : "no-show").contains(id)) {
                    lost++;
                }
                if (members.get(attended ? "no-show" : "attended").contains(id)) {
                    wrong++;
                }
            }
            for (Set<Long> m : members.values()) {
                wrong += m.stream().filter(id -> !expected.contains(id)).count();
            }
        }
        long people = state.contacts().size();
        long distinct = state.contacts().stream().map(c -> c.email().toLowerCase(Locale.ROOT)).distinct().count();
        return new Tally(lost, people - distinct, wrong, run.count("SELECT count(*) FROM dead_letter"));
    }

    /** Each contact's UTM row (one per registration and event here) exactly once. */
    private static Tally utmOnce(MauticState state) {
        long duplicated = 0;
        for (MauticState.Contact c : state.contacts()) {
            duplicated += Math.max(0, state.utmRows(c.id()).size() - 1);
        }
        return new Tally(0, duplicated, 0, 0);
    }

    private static boolean attendedPushed(MauticState state, List<Long> keys, int each) {
        return state.segments().stream().filter(s -> s.name().endsWith(" · attended"))
                .mapToLong(s -> state.segmentMembers(s.id()).size()).sum() >= (long) keys.size() * each;
    }

    private static long utmRows(MauticState state) {
        return state.contacts().stream().mapToLong(c -> state.utmRows(c.id()).size()).sum();
    }

    private static Outcome outcome(String name, int trials, Tally t, long t0, String note) {
        return new Outcome(name, trials, t.lost(), t.duplicated(), t.wrong(), t.deadLetters(), (System.nanoTime() - t0) / 1e9, note);
    }

    // ---- data ----

    /** Webinars that ended a day ago, one session each, every second registrant attended. */
    private static List<Long> pastWebinars(GoToSimulator goTo, int webinars, int each) {
        Instant held = Instant.now().minus(Duration.ofDays(1));
        List<Long> keys = new ArrayList<>();
        for (int w = 0; w < webinars; w++) {
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Fault webinar " + w)
                    .times(TimeRange.of(held, Duration.ofHours(1)))).key();
            var session = goTo.state().webinars().addSession(key, TimeRange.of(held, Duration.ofHours(1)));
            for (int r = 0; r < each; r++) {
                var registrant = goTo.state().webinars().addRegistrant(key, "F" + r, "W" + w, "p" + r + "@w" + w + ".example.com");
                if (r % 2 == 0) {
                    goTo.state().webinars().recordAttendance(session.key(), registrant.key(),
                            TimeRange.of(held.plusSeconds(60), Duration.ofMinutes(20)));
                }
            }
            keys.add(key);
        }
        return keys;
    }

    /**
     * A service started with the Mautic simulator's form webhook pointed at it, then the demo form submitted by
     * {@code people} people ({@code <who><n>@example.com}) for the webinar: every delivery is acknowledged before this
     * returns.
     */
    private static Process startAndSubmit(Run run, GoToSimulator goTo, MauticSimulator mautic, long key, String who, int people)
            throws Exception {
        mautic.registerHook(run.url("/webhooks/mautic"), HOOK_SECRET, "mautic.form_on_submit");
        Process p = run.start(goTo, mautic, Map.of());
        BenchService.awaitReady(p, run.port, LOG);
        for (int i = 0; i < people; i++) {
            mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", who + i + "@example.com", "firstname", "P" + i,
                    MauticDemo.SELECT_FIELD, String.valueOf(key)));
        }
        return p;
    }

    private static long upcomingWebinar(GoToSimulator goTo, String title) {
        return goTo.state().webinars().add(GoToWebinars.webinar(title)
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(5)), Duration.ofHours(1)))).key();
    }

    // ---- the service ----

    private static GoToSimulator goToSimulator() {
        return GoToSimulator.start(0, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    }

    private static MauticSimulator mauticSimulator() {
        return MauticSimulator.start(0, MAUTIC_USER, MAUTIC_PASSWORD);
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the service did not die of SIGKILL within 30 s");
        }
    }

    private static void await(Duration atMost, Check until) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!until.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + atMost.toSeconds() + " s; see " + LOG);
            }
            Thread.sleep(100);
        }
    }

    /** Whether the check held within the time, without failing the scenario when it did not. */
    private static boolean awaitQuietly(Duration atMost, Check until) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!until.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    /** One database of the service's, and the services started on it; dropped at the end. */
    private static final class Run implements AutoCloseable {
        private final String db;
        private final String what;
        private final boolean owner;
        private final int port;
        private final List<Process> started = new ArrayList<>();

        Run(String what) throws Exception {
            this("faults_" + System.nanoTime(), what, true);
            BenchService.admin("CREATE DATABASE " + db);
        }

        private Run(String db, String what, boolean owner) throws Exception {
            this.db = db;
            this.what = what;
            this.owner = owner;
            this.port = BenchService.freePort();
        }

        /** A second instance's handle on the same database, on a port of its own. */
        Run sharing() throws Exception {
            return new Run(db, what + " (second instance)", false);
        }

        Process start(GoToSimulator goTo, MauticSimulator mautic, Map<String, String> extra) throws Exception {
            Map<String, String> env = new HashMap<>(Map.of("GOTO_CLIENT_ID", CLIENT_ID, "GOTO_CLIENT_SECRET", CLIENT_SECRET,
                    "GOTO_REFRESH_TOKEN", REFRESH_TOKEN, "MAUTIC_USERNAME", MAUTIC_USER, "MAUTIC_PASSWORD", MAUTIC_PASSWORD,
                    "MAUTIC_WEBHOOK_SECRET", HOOK_SECRET, "BRIDGE_INBOUND_TOKEN", CAMPAIGN_TOKEN,
                    "BRIDGE_POLL_WEBINAR", "3s", "BRIDGE_PUSH_INTERVAL", "200ms"));
            env.putAll(extra);
            Process p = BenchService.start(db, port, goTo, mautic, env, LOG, "faults " + what);
            started.add(p);
            return p;
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        int health() {
            try {
                return send("GET", "/health", Map.of(), null);
            } catch (Exception e) {
                return 0;
            }
        }

        int send(String method, String path, Map<String, String> headers, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(15))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        long count(String sql) throws Exception {
            return BenchService.count(db, sql);
        }

        @Override
        public void close() throws Exception {
            for (Process p : started) {
                if (p.isAlive()) {
                    BenchService.stop(p);
                }
            }
            if (owner) {
                BenchService.admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }
}
