package io.gotomautic.bridge.connect;

import java.sql.SQLException;

import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.http.Requests;
import io.gotomautic.bridge.store.Hashes;
import org.apache.camel.Exchange;

/**
 * The browser's side of {@link GoToConnect}: {@code GET /connect/goto} gives the browser a cookie of its own and sends
 * it to GoTo; {@code GET /connect/goto/callback} ends on a page that says what happened. The state is tied to the
 * cookie, so a link begun in one browser cannot finish in another.
 */
public class ConnectPages {

    static final String COOKIE = "bridge_connect";

    private final GoToConnect connect;
    private final boolean secure;

    public ConnectPages(GoToConnect connect) {
        this.connect = connect;
        this.secure = connect.redirectUri().startsWith("https:");
    }

    public void start(Exchange exchange) throws SQLException {
        String browser = Requests.cookie(exchange, COOKIE);
        boolean fresh = browser == null;
        if (fresh) {
            browser = GoToConnect.random();
        }
        String url = connect.begin(Hashes.sha256(browser));
        Answers.clear(exchange, 302);
        exchange.getMessage().setHeader("Location", url);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        if (fresh) {
            exchange.getMessage().setHeader("Set-Cookie", COOKIE + "=" + browser + "; Path=/connect; HttpOnly; SameSite=Lax"
                    + (secure ? "; Secure" : ""));
        }
        exchange.getMessage().setBody("");
    }

    public void callback(Exchange exchange) throws SQLException {
        String browser = Requests.cookie(exchange, COOKIE);
        try {
            GoToConnect.Connected c = connect.finish(Requests.param(exchange, "state"), browser == null ? "" : Hashes.sha256(browser),
                    Requests.param(exchange, "code"), Requests.param(exchange, "error"));
            Answers.html(exchange, 200, Answers.page("GoTo account connected", "The GoTo account " + c.email() + " is connected:"
                    + " the bridge polls its webinars and trainings and registers people for them from now on. You can close this page."));
        } catch (GoToConnect.Refused e) {
            Answers.html(exchange, 400, Answers.page("GoTo account not connected", e.getMessage()));
        }
    }
}
