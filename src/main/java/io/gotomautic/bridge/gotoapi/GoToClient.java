package io.gotomautic.bridge.gotoapi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.http.HttpTransportException;
import io.gotomautic.bridge.http.RetryAfter;
import io.gotomautic.bridge.store.PartStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to GoTo as one account (one connection: its own token and rate limiter, as GoTo limits each). Every call waits for the shared rate limiter; a 429 pauses the whole
 * connection for Retry-After (or a growing backoff) and is tried again; a 403 InvalidToken refreshes the
 * access token once and is tried again. What still fails is a {@link GoToException} that says whether the
 * next cycle may do better.
 */
public class GoToClient {

    private static final Logger LOG = LoggerFactory.getLogger(GoToClient.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The organizer the connection acts for, from {@code /admin/rest/v1/me}. */
    public record Organizer(String key, String accountKey, String email) {
    }

    private final HttpTransport http;
    private final GoToTokens tokens;
    private final RateLimiter limiter;
    private final PartStates parts;
    private final String apiUrl;
    private final int maxThrottledAttempts;
    private final AtomicLong calls = new AtomicLong();
    private final String part;
    private volatile Organizer organizer;

    public GoToClient(HttpTransport http, GoToTokens tokens, RateLimiter limiter, PartStates parts, String apiUrl,
                      int maxThrottledAttempts) {
        this.http = http;
        this.parts = parts;
        this.tokens = tokens;
        this.limiter = limiter;
        this.apiUrl = apiUrl.replaceAll("/+$", "");
        this.maxThrottledAttempts = maxThrottledAttempts;
        this.part = PartStates.goTo(tokens.account());
    }

    /** The GoTo account the calls act for. */
    public String account() {
        return tokens.account();
    }

    public JsonNode get(String path) {
        return call("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null);
    }

    public JsonNode put(String path, Object body) {
        return call("PUT", path, body);
    }

    /** GoTo's webhook API deletes what an array body names. */
    public JsonNode delete(String path, Object body) {
        return call("DELETE", path, body);
    }

    /** Looked up once (GoTo's current tokens no longer carry the organizer key). */
    public Organizer organizer() {
        Organizer o = organizer;
        if (o == null) {
            JsonNode me = get("/admin/rest/v1/me");
            o = new Organizer(me.path("key").asText(), me.path("accountKey").asText(), me.path("email").asText());
            organizer = o;
        }
        return o;
    }

    /** Calls sent to GoTo so far, retries included. */
    public long calls() {
        return calls.get();
    }

    /** The call, and its outcome for the GoTo part's state ({@code /health}, {@code status}). */
    private JsonNode call(String method, String path, Object body) {
        try {
            JsonNode answer = exchange(method, path, body);
            parts.succeeded(part);
            return answer;
        } catch (GoToException e) {
            if (e.fix().isPresent()) {
                parts.held(part, e.fix().get(), e.getMessage());
            } else if (e.isTransient()) {
                parts.failing(part, e.getMessage());
            } else {
                // GoTo answered about the item (404, 400, 409): the connection itself works
                parts.succeeded(part);
            }
            throw e;
        }
    }

    private JsonNode exchange(String method, String path, Object body) {
        String url = apiUrl + path;
        boolean refreshed = false;
        int throttled = 0;
        while (true) {
            // the token first: a token request takes a while, and a call counted long before it leaves could
            // reach GoTo in a later window than the limiter counted it in
            String token = tokens.accessToken();
            try {
                limiter.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GoToException(0, "interrupted", method + " " + path + " interrupted", true, e);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", "Bearer " + token);
            headers.put("Accept", "application/json");
            if (body != null) {
                headers.put("Content-Type", "application/json");
            }
            HttpTransport.Response r;
            calls.incrementAndGet();
            try {
                r = http.send(method, url, headers, body);
            } catch (HttpTransportException e) {
                throw new GoToException(0, "unreachable", "GoTo " + method + " " + path + " got no answer: " + e.getMessage(), true, e);
            }
            JsonNode answer = r.json();
            if (r.status() == 403 && !refreshed && "InvalidToken".equals(errorCode(answer))) {
                refreshed = true;
                tokens.rejected(token);
                continue;
            }
            if (r.status() == 429) {
                throttled++;
                Duration pause = RetryAfter.of(r).orElse(backoff(throttled));
                if (throttled >= maxThrottledAttempts) {
                    limiter.pause(pause);
                    throw new GoToException(429, errorCode(answer), "GoTo " + method + " " + path + " still throttled (429) after "
                            + throttled + " attempts", true, null).retryAfter(java.util.Optional.of(pause));
                }
                LOG.warn("GoTo answered 429 to {} {}; pausing the connection for {} ms", method, path, pause.toMillis());
                limiter.pause(pause);
                continue;
            }
            if (r.ok()) {
                if (answer == null && r.body() != null && !r.body().isBlank()) {
                    throw new GoToException(r.status(), "malformed", "GoTo " + method + " " + path + " answered a body that is not JSON", true, null);
                }
                return answer == null ? JSON.nullNode() : answer;
            }
            boolean transientFailure = r.status() >= 500 || r.status() == 408 || "InvalidToken".equals(errorCode(answer));
            // a 503 may say when to come back (RFC 9110 §10.2.3): the entry waits at least that long
            throw new GoToException(r.status(), errorCode(answer), "GoTo " + method + " " + path + " failed: HTTP " + r.status()
                    + describe(answer), transientFailure, null, answer, fix(r.status(), answer))
                    .retryAfter(transientFailure ? RetryAfter.of(r) : java.util.Optional.empty());
        }
    }

    /** 1 s, 2 s, 4 s … up to 60 s, when GoTo does not say how long to wait. */
    static Duration backoff(int attempt) {
        return Duration.ofSeconds(Math.min(60, 1L << Math.min(6, attempt - 1)));
    }

    /**
     * GoTo's 403 other than InvalidToken is about the connection, not the item: an account, licence or scope that does
     * not allow the call. (InvalidToken even after a refresh is passing: the next refresh says whether the grant is gone.)
     */
    private String fix(int status, JsonNode answer) {
        String code = errorCode(answer);
        if (status != 403 || code.equals("InvalidToken")) {
            return null;
        }
        return "GoTo refuses the account " + EmailAddress.masked(account()) + " (403" + (code.isEmpty() ? "" : " " + code) + "): check that its"
                + " organizer has the product's licence and the OAuth client goto.client-id its scopes, then restart";
    }

    private static String errorCode(JsonNode body) {
        if (body == null) {
            return "";
        }
        for (String field : new String[] {"errorCode", "int_err_code", "error"}) {
            if (body.hasNonNull(field)) {
                return body.get(field).asText();
            }
        }
        return "";
    }

    private static String describe(JsonNode body) {
        if (body == null) {
            return "";
        }
        String code = errorCode(body);
        for (String field : new String[] {"description", "msg", "message", "error_description"}) {
            if (body.hasNonNull(field)) {
                return " " + (code.isEmpty() ? "" : code + ": ") + body.get(field).asText();
            }
        }
        return code.isEmpty() ? "" : " " + code;
    }
}
