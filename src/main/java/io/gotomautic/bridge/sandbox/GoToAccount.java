package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One organizer's user account at the simulated GoTo: their world, the grants given for them — the OAuth client's
 * refresh token, their Personal Access Token — and the access tokens those gave, each of which sees this
 * organizer's world only.
 */
public final class GoToAccount {

    /** A new access token and the refresh token that goes with it. */
    record Tokens(String accessToken, String refreshToken) {
    }

    private final GoToState state;
    private final String personalAccessToken = "pat-" + OAuthSecrets.newSecret();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private volatile String refreshToken;

    GoToAccount(GoToState state, String refreshToken) {
        this.state = state;
        this.refreshToken = refreshToken;
    }

    public GoToState state() {
        return state;
    }

    public GoToState.Organizer organizer() {
        return state.organizer();
    }

    /** The refresh token that works now; changes at each refresh while rotation is on, and at a revocation. */
    public String refreshToken() {
        return refreshToken;
    }

    /** The organizer's Personal Access Token (grant {@code personal_access_token}). */
    public String personalAccessToken() {
        return personalAccessToken;
    }

    /**
     * Revokes the connection's grant: the refresh token in use answers 400 invalid_grant and the access tokens 403
     * InvalidToken. Returns the refresh token of the new connection (the consent given again).
     */
    public synchronized String revokeRefreshToken() {
        accessTokens.clear();
        refreshToken = OAuthSecrets.newSecret();
        return refreshToken;
    }

    /** The tokens for a grant just given (an authorization code, the PAT): a new access token, the refresh token as it is. */
    synchronized Tokens grant(Duration lifetime) {
        String token = "eyJraWQiOiJnb3RvLXNpbSJ9." + OAuthSecrets.newSecret();
        accessTokens.put(token, state.now().plus(lifetime));
        return new Tokens(token, refreshToken);
    }

    /**
     * A refresh with {@code presented}: empty unless it is this account's refresh token. With {@code rotate} the
     * refresh token is replaced in the same step, so of two refreshes with one token only the first wins.
     */
    synchronized Optional<Tokens> refresh(String presented, boolean rotate, Duration lifetime) {
        if (!presented.equals(refreshToken)) {
            return Optional.empty();
        }
        if (rotate) {
            refreshToken = OAuthSecrets.newSecret();
        }
        return Optional.of(grant(lifetime));
    }

    /** Whether an access token is one of this account's and still live; an expired one is forgotten. */
    boolean holds(String accessToken) {
        Instant expiry = accessTokens.get(accessToken);
        if (expiry != null && !state.now().isBefore(expiry)) {
            accessTokens.remove(accessToken);
            return false;
        }
        return expiry != null;
    }

    void expireAccessTokens() {
        accessTokens.clear();
    }
}
