package io.gotomautic.bridge.connect;

import java.sql.SQLException;

import io.gotomautic.bridge.store.Hashes;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

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
        String browser = cookie(exchange);
        boolean fresh = browser == null;
        if (fresh) {
            browser = GoToConnect.random();
        }
        String url = connect.begin(Hashes.sha256(browser));
        clear(exchange, 302);
        exchange.getMessage().setHeader("Location", url);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        if (fresh) {
            exchange.getMessage().setHeader("Set-Cookie", COOKIE + "=" + browser + "; Path=/connect; HttpOnly; SameSite=Lax"
                    + (secure ? "; Secure" : ""));
        }
        exchange.getMessage().setBody("");
    }

    public void callback(Exchange exchange) throws SQLException {
        String browser = cookie(exchange);
        try {
            GoToConnect.Connected c = connect.finish(param(exchange, "state"), browser == null ? "" : Hashes.sha256(browser),
                    param(exchange, "code"), param(exchange, "error"));
            page(exchange, 200, "GoTo account connected", "The GoTo account " + c.email() + " is connected: the bridge polls"
                    + " its webinars and trainings and registers people for them from now on. You can close this page.");
        } catch (GoToConnect.Refused e) {
            page(exchange, 400, "GoTo account not connected", e.getMessage());
        }
    }

    private static void page(Exchange exchange, int status, String title, String text) {
        clear(exchange, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setBody("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head><body><h1>" + escape(title) + "</h1><p id=\"outcome\">" + escape(text) + "</p></body></html>");
    }

    /** The request's headers and query (platform-http copies both into the message) are not echoed back. */
    private static void clear(Exchange exchange, int status) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    }

    private static String param(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getParam(name) : null;
    }

    private static String cookie(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage http && http.getRequest() != null) {
            io.vertx.core.http.Cookie c = http.getRequest().getCookie(COOKIE);
            return c == null || c.getValue().isBlank() ? null : c.getValue();
        }
        return null;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
