package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The GoTo APIs on loopback: OAuth token endpoint and identity lookups, GoToWebinar v2, GoToTraining,
 * GoToMeeting and GoToAssist, all on one port so {@code goto.auth-url} and {@code goto.api-url} both point
 * at {@link #baseUrl()}. Follows our GoTo API contract notes (goto-api.md); points they leave open are
 * switches here, each defaulting to the most likely behaviour. It starts with one organizer; {@link #addOrganizer}
 * adds more, each with a world and grants of their own.
 *
 * <p>GoToWebinar's webhooks: {@code POST /G2W/rest/v2/webhooks/secretkey}, {@code POST|PUT|GET|DELETE
 * /G2W/rest/v2/webhooks} (and {@code GET …/webhooks/{webhookKey}}), {@code POST|PUT|GET|DELETE
 * /G2W/rest/v2/userSubscriptions} (and {@code GET …/userSubscriptions/{userSubscriptionKey}}). The secret and the
 * webhooks are the one OAuth client's, user subscriptions each organizer's; an event in an organizer's world is
 * POSTed, signed, to each of their ACTIVE subscriptions to an ACTIVE webhook for it, in the background
 * ({@link #webhookDeliveries()} records each). Events: registrant.added, registrant.joined, webinar.created,
 * webinar.changed (UPDATED, or DELETED when cancelled).
 *
 * <p>A person's registration page, outside GoTo's APIs: {@code GET /sim/register/{webinarKey}} shows a form and
 * {@code POST /sim/register/{webinarKey}} (form fields {@code firstName}, {@code lastName}, {@code email}) registers
 * and shows a confirmation — a registration the bridge did not make, as its webhook tells of it.
 */
public final class GoToSimulator extends Simulator {

    /** GoTo's documented limit: 10 requests per second per API. */
    public static final int REAL_RATE_LIMIT_CALLS = 10;
    public static final Duration REAL_RATE_LIMIT_PERIOD = Duration.ofSeconds(1);
    /** The product APIs are limited; the token endpoint lives on another host in reality and is not. */
    private static final String LIMITED_PATHS = "^/(G2W|G2T|G2M|G2A|admin|identity)/";

    private final GoToAccount first;
    private final GoToIdentity identity;
    private final GoToWebinarApi webinars = new GoToWebinarApi();
    private final GoToAssistApi assist = new GoToAssistApi();
    private final GoToWebhooks webhooks;
    private final GoToWebhookDeliveries deliveries;

    private GoToSimulator(GoToAccount first, GoToIdentity identity) {
        super("GoTo");
        this.first = first;
        this.identity = identity;
        GoToState world = first.state();
        this.webhooks = new GoToWebhooks(world::now);
        this.deliveries = new GoToWebhookDeliveries(webhooks, world::now);
        // One listener hears every organizer's world, as they all share the first one's platform.
        world.onWebinarEvents(deliveries::published);
        identity.routes(server);
        webinars.routes(server, identity);
        new GoToWebhooksApi(webhooks, deliveries).routes(server, identity);
        new GoToRegistrationPage(identity::accounts).routes(server);
        new GoToTrainingApi().routes(server, identity);
        new GoToMeetingApi().routes(server, identity);
        assist.routes(server, identity);
        // GoTo limits each connection, that is each organizer's token, on its own.
        server.rateLimitPerCaller(req -> identity.bearer(req).orElse(null));
        rateLimit(REAL_RATE_LIMIT_CALLS, REAL_RATE_LIMIT_PERIOD);
    }

    /**
     * Starts on 127.0.0.1 ({@code port} 0 takes a free one) with an OAuth client and the refresh token it may
     * use for the first organizer; the world starts empty but for that organizer — {@link GoToDemo#seed} fills it.
     */
    public static GoToSimulator start(int port, String clientId, String clientSecret, String refreshToken) {
        GoToAccount first = new GoToAccount(new GoToState(), refreshToken);
        GoToSimulator sim = new GoToSimulator(first, new GoToIdentity(clientId, clientSecret, first));
        sim.listen(port);
        return sim;
    }

    /**
     * Another organizer at this GoTo, with a world of their own (empty; seed it through {@link GoToAccount#state()}),
     * their own refresh token and Personal Access Token. Their tokens see only their world, and their keys are never
     * any other organizer's.
     */
    public GoToAccount addOrganizer(String email, String firstName, String lastName) {
        GoToAccount account = new GoToAccount(first.state().another(email, firstName, lastName), OAuthSecrets.newSecret());
        identity.add(account);
        return account;
    }

    /** The organizer the simulator started with, whom {@link #state()}, {@link #currentRefreshToken()} and the like mean. */
    public GoToAccount firstOrganizer() {
        return first;
    }

    /** The first organizer's world. */
    public GoToState state() {
        return first.state();
    }

    /**
     * Who the browser is signed in to GoTo as: the consent page shows them and its code is for them. Default: the
     * first organizer.
     */
    public GoToSimulator signedIn(GoToAccount organizer) {
        identity.signedIn(organizer);
        return this;
    }

    /**
     * Whether {@code /oauth/authorize} sends the browser straight back with a code, as GoTo does for a signed-in
     * organizer who allowed the client before, instead of showing the consent page (so no denial). Default false.
     */
    public GoToSimulator approveAtOnce(boolean atOnce) {
        identity.approveAtOnce(atOnce);
        return this;
    }

    /**
     * At most {@code calls} API calls per {@code period} for each organizer, then 429 with Retry-After; calls without
     * a live token share one allowance. 0 calls = no limit. Default 10/s.
     */
    public GoToSimulator rateLimit(int calls, Duration period) {
        server.rateLimit(calls, period, LIMITED_PATHS);
        return this;
    }

    /**
     * Revokes the first organizer's grant: the refresh token in use answers 400 invalid_grant and the access tokens
     * 403 InvalidToken. Returns the refresh token of the new connection (the consent given again), which a restart
     * with it in {@code goto.refresh-token} uses.
     */
    public String revokeRefreshToken() {
        return first.revokeRefreshToken();
    }

    /** Every access token issued so far, any organizer's, stops working: the next API call answers 403 InvalidToken. */
    public void expireAllTokens() {
        identity.expireAll();
    }

    /** How long new access tokens live (reported as {@code expires_in}); default 3600 s. */
    public GoToSimulator tokenLifetime(Duration lifetime) {
        identity.lifetime(lifetime);
        return this;
    }

    /**
     * Whether a refresh issues a new refresh token (and invalidates the old one). Default false: GoTo normally
     * answers a refresh without a {@code refresh_token} and the client keeps the one it has.
     */
    public GoToSimulator rotateRefreshToken(boolean rotate) {
        identity.rotateRefreshToken(rotate);
        return this;
    }

    /** The first organizer's Personal Access Token (grant {@code personal_access_token}). */
    public String personalAccessToken() {
        return first.personalAccessToken();
    }

    /** The first organizer's refresh token that works now; changes after each refresh while rotation is on. */
    public String currentRefreshToken() {
        return first.refreshToken();
    }

    /** Adds the legacy token-response fields ({@code organizer_key}, {@code account_key}, names, email). Default false. */
    public GoToSimulator legacyTokenFields(boolean legacy) {
        identity.legacyTokenFields(legacy);
        return this;
    }

    /**
     * Whether {@code /admin/rest/v1/me} answers; some non-admin tokens reportedly get 401 there and must fall back
     * to {@code /identity/v1/Users/me}. Default true.
     */
    public GoToSimulator adminMeAvailable(boolean available) {
        identity.adminMeAvailable(available);
        return this;
    }

    /** Whether an empty reporting page leaves out {@code _embedded} (true, the default) or sends an empty list. */
    public GoToSimulator omitEmptyEmbedded(boolean omit) {
        webinars.omitEmptyEmbedded(omit);
        return this;
    }

    /**
     * Whether the G2W 409 for an email already registered carries the existing {@code registrantKey} and
     * {@code joinUrl} (true, the default guess) or only {@code errorCode}, {@code description}, {@code incident}.
     */
    public GoToSimulator duplicateRegistrantDetails(boolean withDetails) {
        webinars.duplicateRegistrantDetails(withDetails);
        return this;
    }

    /** Whether the G2A create-session answer includes {@code customerJoinUrl}. Default true. */
    public GoToSimulator assistCreateReturnsCustomerJoinUrl(boolean include) {
        assist.createReturnsCustomerJoinUrl(include);
        return this;
    }

    /** The page on which a person registers for a webinar, whichever organizer's it is. */
    public String registrationPageUrl(long webinarKey) {
        return baseUrl() + GoToRegistrationPage.PATH + webinarKey;
    }

    /** The value of the webhook secret deliveries are signed with now; empty before the first {@code POST …/secretkey}. */
    public Optional<String> webhookSecret() {
        return webhooks.signingSecret().map(GoToWebhooks.Secret::value);
    }

    /** The OAuth client's webhooks, oldest first. */
    public List<GoToWebhooks.Webhook> webhooks() {
        return webhooks.webhooks();
    }

    /** One organizer's user subscriptions, oldest first. */
    public List<GoToWebhooks.UserSubscription> userSubscriptions(GoToAccount organizer) {
        return webhooks.subscriptions(organizer.state());
    }

    /** Every webhook delivery attempted so far, in the order they were made, dropped ones included. */
    public List<GoToWebhookDeliveries.Delivery> webhookDeliveries() {
        return deliveries.all();
    }

    /** The header the signature travels in. Default {@value GoToWebhookDeliveries#DEFAULT_SIGNATURE_HEADER}. */
    public GoToSimulator webhookSignatureHeader(String name) {
        deliveries.signatureHeader(name);
        return this;
    }

    /**
     * Whether the signed bytes are {@code timestamp + ":" + body}, the timestamp (epoch ms) sent in
     * {@value GoToWebhookDeliveries#TIMESTAMP_HEADER}, instead of the raw body alone. Default false.
     */
    public GoToSimulator webhookSignatureTimestamped(boolean timestamped) {
        deliveries.signTimestamp(timestamped);
        return this;
    }

    /** Whether webhook deliveries are signed with a wrong key, so a receiver's check must refuse them. Default false. */
    public GoToSimulator badSignature(boolean bad) {
        deliveries.badSignature(bad);
        return this;
    }

    /** Whether each webhook delivery is sent twice, with the same {@code eventKey}. Default false. */
    public GoToSimulator webhookDuplicates(boolean twice) {
        deliveries.duplicates(twice);
        return this;
    }

    /**
     * While on, webhook deliveries are held until {@link #flushWebhooks()}, which sends them newest first; turning
     * it off sends what is held the same way. Default off.
     */
    public GoToSimulator webhookReorder(boolean reorder) {
        deliveries.reorder(reorder);
        return this;
    }

    /** Sends the webhook deliveries held by {@link #webhookReorder}, newest first; returns how many. */
    public int flushWebhooks() {
        return deliveries.flush();
    }

    /**
     * The share (0..1) of webhook deliveries lost on the way, at random: recorded as
     * {@value GoToWebhookDeliveries#DROPPED}, never received. Default 0.
     */
    public GoToSimulator webhookDrop(double rate) {
        deliveries.dropRate(rate);
        return this;
    }

    @Override
    public void close() {
        super.close();
        deliveries.close();
    }

    @Override
    protected SimResponse error(int status, String message) {
        return GoToWire.errorFormat(status, message);
    }
}
