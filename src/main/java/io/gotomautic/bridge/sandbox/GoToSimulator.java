package io.gotomautic.bridge.sandbox;

import java.time.Duration;

/**
 * The GoTo APIs on loopback: OAuth token endpoint and identity lookups, GoToWebinar v2, GoToTraining,
 * GoToMeeting and GoToAssist, all on one port so {@code goto.auth-url} and {@code goto.api-url} both point
 * at {@link #baseUrl()}. Follows our GoTo API contract notes (goto-api.md); points they leave open are
 * switches here, each defaulting to the most likely behaviour. It starts with one organizer; {@link #addOrganizer}
 * adds more, each with a world and grants of their own.
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

    private GoToSimulator(GoToAccount first, GoToIdentity identity) {
        super("GoTo");
        this.first = first;
        this.identity = identity;
        identity.routes(server);
        webinars.routes(server, identity);
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

    @Override
    protected SimResponse error(int status, String message) {
        return GoToWire.errorFormat(status, message);
    }
}
