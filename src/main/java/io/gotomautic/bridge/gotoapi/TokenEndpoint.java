package io.gotomautic.bridge.gotoapi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.http.HttpTransportException;

/**
 * GoTo's OAuth token endpoint ({@code {goto.auth-url}/oauth/token}) for one OAuth client: each grant (refresh token,
 * authorization code, Personal Access Token) is one form POST with the client's Basic credentials. Tokens are never
 * logged, and never in an exception's message.
 */
public class TokenEndpoint {

    /** GoTo's answer to a grant: 2xx with a JSON body, or its refusal. */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2 && body != null;
        }

        /** The RFC 6749 error code, empty when there is none. */
        public String error() {
            return body == null ? "" : body.path("error").asText("");
        }

        public String description() {
            return body == null ? "" : body.path("error_description").asText("");
        }

        /** GoTo may answer differently later: 429, 5xx, or no JSON. */
        public boolean isTransient() {
            return status == 429 || status >= 500 || body == null;
        }
    }

    private final HttpTransport http;
    private final String url;
    private final String clientId;
    private final String basicAuth;

    public TokenEndpoint(HttpTransport http, String authUrl, String clientId, String clientSecret) {
        this.http = http;
        this.url = authUrl.replaceAll("/+$", "") + "/oauth/token";
        this.clientId = clientId;
        this.basicAuth = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    }

    public String clientId() {
        return clientId;
    }

    /** @throws GoToException transient when GoTo did not answer */
    public Answer grant(Map<String, String> form) {
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpTransport.Response r;
        try {
            r = http.send("POST", url, Map.of("Authorization", basicAuth, "Content-Type", "application/x-www-form-urlencoded",
                    "Accept", "application/json"), body);
        } catch (HttpTransportException e) {
            throw new GoToException(0, "unreachable", "GoTo token endpoint did not answer: " + e.getMessage(), true, e);
        }
        return new Answer(r.status(), r.json());
    }
}
