package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first-run experience: both simulators on loopback, seeded with demo data, and the settings that point
 * the bridge at them with the credentials {@code sandbox}/{@code sandbox}, on an embedded database of its own
 * that starts empty each time (the simulators start fresh too).
 */
public final class Sandbox implements AutoCloseable {

    public static final String CREDENTIAL = "sandbox";
    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    private final GoToSimulator goTo;
    private final GoToAccount secondOrganizer;
    private final MauticSimulator mautic;
    private final Settings settings;

    private Sandbox(GoToSimulator goTo, GoToAccount secondOrganizer, MauticSimulator mautic, Settings settings) {
        this.goTo = goTo;
        this.secondOrganizer = secondOrganizer;
        this.mautic = mautic;
        this.settings = settings;
    }

    public static Sandbox start(Settings base) throws IOException {
        GoToSimulator goTo = GoToSimulator.start(base.port("sandbox.goto-port"), CREDENTIAL, CREDENTIAL, CREDENTIAL);
        MauticSimulator mautic;
        try {
            mautic = MauticSimulator.start(base.port("sandbox.mautic-port"), CREDENTIAL, CREDENTIAL);
        } catch (RuntimeException e) {
            goTo.close();
            throw e;
        }
        GoToDemo.seed(goTo);
        // goto.refresh-token stays the first organizer's; Connect in the console signs in as the second, who consented
        // before, so a newcomer who clicks it sees another account, with webinars of its own, connect at once.
        GoToAccount second = GoToDemo.addSecondOrganizer(goTo);
        goTo.signedIn(second).approveAtOnce(true);
        MauticDemo.seed(mautic);

        Path data = Path.of(base.get("bridge.db.embedded-dir"), "sandbox");
        deleteRecursively(data);
        Map<String, String> points = new LinkedHashMap<>();
        points.put("goto.api-url", goTo.baseUrl());
        points.put("goto.auth-url", goTo.baseUrl());
        points.put("goto.client-id", CREDENTIAL);
        points.put("goto.client-secret", CREDENTIAL);
        points.put("goto.refresh-token", CREDENTIAL);
        points.put("mautic.url", mautic.baseUrl());
        points.put("mautic.auth", "basic");
        points.put("mautic.username", CREDENTIAL);
        points.put("mautic.password", CREDENTIAL);
        points.put("mautic.webhook-secret", CREDENTIAL);
        points.put("bridge.inbound-token", CREDENTIAL);
        points.put("bridge.admin.username", CREDENTIAL);
        points.put("bridge.admin.password", CREDENTIAL);
        points.put("bridge.secret-key", CREDENTIAL);
        // the simulator reaches the bridge on loopback: a registration on its page is in Mautic within seconds
        points.put("goto.webhooks.enabled", "true");
        points.putAll(questionsForm(goTo, mautic));
        points.put("bridge.db.url", "");
        points.put("bridge.db.embedded-dir", data.toString());
        Settings settings = base.with(points);

        String webhook = "http://127.0.0.1:" + settings.port("bridge.http.port") + "/webhooks/mautic";
        mautic.registerHook(webhook, CREDENTIAL,
                "mautic.form_on_submit", "mautic.lead_post_save_new", "mautic.lead_post_save_update");

        LOG.info("Sandbox: GoTo simulator at {} (OAuth client id, secret and refresh token: {}); Connect in the admin"
                + " console connects its second organizer, {}", goTo.baseUrl(), CREDENTIAL,
                EmailAddress.masked(second.organizer().email()));
        goTo.state().webinars().all().stream().filter(w -> !w.cancelled() && w.end().isAfter(goTo.state().now()))
                .findFirst().ifPresent(w -> LOG.info("Sandbox: people register for a GoTo webinar by hand at {}{webinarKey},"
                        + " e.g. {}", goTo.baseUrl() + GoToRegistrationPage.PATH, goTo.registrationPageUrl(w.key())));
        LOG.info("Sandbox: Mautic simulator at {} (API user {} / password {}), webhook to {}", mautic.baseUrl(),
                CREDENTIAL, CREDENTIAL, webhook);
        LOG.info("Sandbox: embedded database in {} (emptied at each sandbox start)", data.toAbsolutePath());
        LOG.info("Sandbox: admin console at http://127.0.0.1:{}/admin (user {} / password {}); Hawtio connects to"
                + " http://127.0.0.1:{}/observe/jolokia with the same", settings.port("bridge.http.port"), CREDENTIAL, CREDENTIAL,
                settings.port("bridge.http.port"));
        return new Sandbox(goTo, second, mautic, settings);
    }

    /**
     * The demo's configured form: every submission registers for the webinar with registration questions, its form
     * fields answering them, and the confirmation email carries {webinar_link}.
     */
    private static Map<String, String> questionsForm(GoToSimulator goTo, MauticSimulator mautic) {
        GoToWebinars.Webinar webinar = goTo.state().webinars().all().stream().filter(w -> !w.questions().isEmpty())
                .findFirst().orElseThrow();
        String form = "bridge.forms." + MauticDemo.QUESTIONS_FORM_ALIAS + ".";
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(form + "product", "webinar");
        keys.put(form + "event-key", String.valueOf(webinar.key()));
        keys.put(form + "email-field", "work_email");
        keys.put(form + "question." + webinar.questions().get(0).questionKey(), "company");
        keys.put(form + "question." + webinar.questions().get(1).questionKey(), "heard");
        keys.put(form + "email-id", String.valueOf(mautic.state().emailByName("Webinar confirmation").orElseThrow().id()));
        return keys;
    }

    /** The settings that point the bridge at the simulators. */
    public Settings settings() {
        return settings;
    }

    public GoToSimulator goTo() {
        return goTo;
    }

    /** The GoTo organizer whom Connect in the console connects; {@code goto.refresh-token} is the first one's. */
    public GoToAccount secondOrganizer() {
        return secondOrganizer;
    }

    public MauticSimulator mautic() {
        return mautic;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        goTo.close();
        mautic.close();
    }
}
