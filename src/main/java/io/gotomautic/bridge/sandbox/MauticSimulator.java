package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gotomautic.bridge.sandbox.MauticState.Contact;
import io.gotomautic.bridge.sandbox.MauticState.Form;
import io.gotomautic.bridge.sandbox.MauticState.FormSubmission;
import io.gotomautic.bridge.sandbox.MauticState.Hook;
import io.gotomautic.bridge.sandbox.MauticState.Submission;

/**
 * A Mautic 5 on loopback for tests and the sandbox: the REST API under {@code /api} with Basic and OAuth2
 * client-credentials auth, {@code /oauth/v2/token}, and webhooks sent out the way Mautic sends them. It follows
 * {@code contracts/mautic-api.md}; where the contract is unsure, a switch here picks the behaviour.
 */
public final class MauticSimulator extends Simulator {

    private static final String CLIENT_IP = "127.0.0.1";

    private final MauticState state = new MauticState();
    private final MauticAuth auth;
    private final MauticViews views = new MauticViews(state);
    private final MauticWebhooks webhooks;
    private final MauticRoutes routes;
    private volatile int rateLimitCalls;

    private MauticSimulator(String username, String password) {
        super("Mautic");
        auth = new MauticAuth(username, password);
        webhooks = new MauticWebhooks(state, views, this::baseUrl);
        routes = new MauticRoutes(auth, state, views, webhooks, this::baseUrl);
        routes.register(server);
        server.route("POST", "/form/submit", this::publicSubmit);
    }

    /** Starts on 127.0.0.1 ({@code port} 0 takes a free one) with one API user for HTTP Basic. */
    public static MauticSimulator start(int port, String username, String password) {
        MauticSimulator sim = new MauticSimulator(username, password);
        sim.listen(port);
        return sim;
    }

    public MauticState state() {
        return state;
    }

    // ---- auth and limits ----

    /** Accepts these client credentials at {@code /oauth/v2/token} (grant {@code client_credentials}). */
    public MauticSimulator oauthClient(String clientId, String clientSecret) {
        auth.client(clientId, clientSecret);
        return this;
    }

    /** Lifetime of tokens issued from now on (Mautic's default is 60 minutes). */
    public MauticSimulator tokenLifetime(Duration lifetime) {
        auth.tokenLifetime = lifetime;
        return this;
    }

    /** Every token issued so far answers 401 "has expired" from now on. */
    public MauticSimulator expireAllTokens() {
        auth.expireAllTokens();
        return this;
    }

    /** Off: every API call gets 403 {@code api_disabled} (Mautic's own default; on here). */
    public MauticSimulator apiEnabled(boolean enabled) {
        auth.apiEnabled = enabled;
        return this;
    }

    /** Off: a Basic header gets 403 {@code access_denied} (Mautic's own default; on here). */
    public MauticSimulator basicAuthEnabled(boolean enabled) {
        auth.basicAuthEnabled = enabled;
        return this;
    }

    /**
     * Takes the permission for one API call from the API user's role (or gives it back), e.g. {@code "POST",
     * "/api/fields/contact/new"}: that call then answers 403 "You do not have access to the requested area/action.";
     * a batch call ({@code /api/contacts/batch/new}) answers 200 with that 403 for each item, as Mautic does.
     */
    public MauticSimulator permission(String method, String pathTemplate, boolean granted) {
        auth.deny(method, pathTemplate, !granted);
        return this;
    }

    /**
     * The 401 message for a wrong Basic password, an open point of the contract: "Authorization denied, invalid
     * credentials." by default; issue reports show "API authorization denied.".
     */
    public MauticSimulator basicAuthDeniedMessage(String message) {
        auth.basicDeniedMessage = message;
        return this;
    }

    /** At most {@code calls} API calls per {@code period} (0 = none), answered 429 with Mautic's body and Retry-After. */
    public MauticSimulator rateLimit(int calls, Duration period) {
        rateLimitCalls = calls;
        server.rateLimit(calls, period, "^/api(/|$)");
        return this;
    }

    // ---- switches for open points ----

    /** On: sending an unpublished email to a contact answers 404 (the contract says 5.x does not check; off). */
    public MauticSimulator rejectUnpublishedEmailSends(boolean reject) {
        routes.rejectUnpublishedEmailSends = reject;
        return this;
    }

    /** Non-null: sends answer 200 {@code {"success":false,"failed":reason}} (still recorded, as failed). */
    public MauticSimulator emailSendFailure(String reason) {
        routes.emailSendFailure = reason;
        return this;
    }

    // ---- webhooks ----

    /** On: events wait in a queue until {@link #processWebhookQueue()}, then go ten per request (Mautic's cron mode). */
    public MauticSimulator webhookQueueMode(boolean queued) {
        webhooks.queued = queued;
        return this;
    }

    /** How long a delivery waits for the receiver (Mautic's configured value is 15 s). */
    public MauticSimulator webhookTimeout(Duration timeout) {
        webhooks.timeout = timeout;
        return this;
    }

    /** A published webhook, as {@code POST /api/hooks/new} makes it; a blank secret gets a generated one. */
    public Hook registerHook(String url, String secret, String... triggers) {
        String s = secret == null || secret.isBlank() ? MauticRoutes.newSecret() : secret;
        return state.addHook("Hook to " + url, null, url, s, List.of(triggers), "ASC");
    }

    /**
     * A public submission of the form (id or alias) with results keyed by form field alias: the contact is
     * created or merged by email (firing {@code lead_post_save_*}), then {@code mautic.form_on_submit} fires.
     */
    public FormSubmission submitForm(String formIdOrAlias, Map<String, String> results) {
        FormSubmission done = state.submitForm(formIdOrAlias, results);
        webhooks.contactSaved(done.save());
        Form form = state.form(done.submission().formId()).orElseThrow();
        webhooks.fire("mautic.form_on_submit", MauticViews.map("submission",
                views.submission(done.submission(), form, done.save().contact(), CLIENT_IP)));
        return done;
    }

    /**
     * What a visitor's browser posts ({@code POST /form/submit}, no API auth): fields {@code mauticform[<alias>]}, the
     * form named by {@code mauticform[formId]} in the body; {@code ?ajax=1} answers JSON, otherwise a 302 back.
     */
    private SimResponse publicSubmit(SimRequest r) {
        Map<String, String> fields = new LinkedHashMap<>();
        r.form().forEach((k, v) -> {
            if (k.startsWith("mauticform[") && k.endsWith("]")) {
                fields.put(k.substring("mauticform[".length(), k.length() - 1), v);
            }
        });
        String formId = fields.remove("formId");
        String back = java.util.Optional.ofNullable(fields.remove("return")).or(() -> r.header("Referer")).orElse(baseUrl());
        fields.remove("formName");
        fields.remove("messenger");
        boolean ajax = r.query("ajax").isPresent();
        try {
            FormSubmission done = submitForm(formId == null ? "" : formId, fields);
            String alias = state.form(done.submission().formId()).orElseThrow().alias();
            return ajax ? SimResponse.json(200, MauticViews.map("success", 1, "results", fields,
                    "successMessage", "Thank you for your submission.", "formName", alias))
                    : SimResponse.empty(302).withHeader("Location", back + "?mauticMessage=Thank+you+for+your+submission.");
        } catch (IllegalArgumentException | IllegalStateException e) {
            String error = "The form is not available (" + e.getMessage() + ").";
            return ajax ? SimResponse.json(200, MauticViews.map("success", 0, "errorMessage", error))
                    : SimResponse.empty(302).withHeader("Location", back + "?mauticError=" + java.net.URLEncoder.encode(error,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * The UI's "Send Test Payload" to a URL: sample objects for the event types (default {@code mautic.form_on_submit}),
     * each as an object rather than an array, with a top-level timestamp. Returns the receiver's status, 0 if unreachable.
     */
    public int sendTestPayload(String url, String secret, String... eventTypes) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret is needed to sign the payload");
        }
        Contact sample = new Contact(1, Map.of("email", "sample@example.com", "firstname", "Sample"), Set.of(), 0, List.of(),
                Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null);
        Form form = new Form(1, "Sample form", "sampleform", null, true, List.of(), Instant.EPOCH);
        Map<String, Object> samples = new LinkedHashMap<>();
        for (String type : eventTypes.length == 0 ? new String[] {"mautic.form_on_submit"} : eventTypes) {
            samples.put(type, type.equals("mautic.form_on_submit")
                    ? MauticViews.map("submission", views.submission(new Submission(1, 1, 1, Map.of("email", sample.email()),
                            Instant.EPOCH), form, sample, CLIENT_IP))
                    : MauticViews.map("contact", views.contact(sample, true)));
        }
        return webhooks.sendTest(url, secret, samples);
    }

    /** Sends what queue mode holds, as {@code mautic:webhooks:process} does; returns the number of requests. */
    public int processWebhookQueue() {
        return webhooks.processQueue();
    }

    public int queuedWebhookEvents() {
        return webhooks.queuedEvents();
    }

    /** Every webhook request sent, oldest first, with the status the receiver answered. */
    public List<MauticWebhooks.Delivery> deliveries() {
        return webhooks.deliveries();
    }

    /** Mautic's error envelope; the rate limiter's 429 has its own body without {@code type}. */
    @Override
    protected SimResponse error(int status, String message) {
        if (status == 429) {
            return MauticRoutes.ok(429, MauticViews.map("errors", List.of(MauticViews.map("code", 429,
                    "message", "You exceeded the rate limit of " + rateLimitCalls + " API calls per hour.", "details", List.of()))));
        }
        return MauticRoutes.ok(status, MauticRoutes.errors(status, message, List.of()));
    }
}
