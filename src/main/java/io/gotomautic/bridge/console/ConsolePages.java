package io.gotomautic.bridge.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.config.FormRules;
import io.gotomautic.bridge.store.DeadLetters;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.StoredSecrets;
import io.gotomautic.bridge.sync.InboundRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The admin console at {@code /admin}, server-rendered HTML behind HTTP basic auth (bridge.admin.username /
 * bridge.admin.password): the GoTo accounts with Connect and Disconnect, the last sync per product, the queues, the
 * dead letters with Replay, the latest requests from Mautic, and GoTo calls per minute against the rate limit over the
 * last hour. Every action is a POST carrying a CSRF token, an HMAC of the user under a key kept in the database, so
 * every instance accepts the token of every other.
 */
public class ConsolePages {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final GoToAccounts accounts;
    private final StoredSecrets secrets;
    private final FormRules forms;
    private final byte[] username;
    private final byte[] password;
    private final String connection;
    private final int limitCalls;
    private final long limitSeconds;
    private volatile byte[] csrfKey;

    /**
     * @param connection the GoTo connection whose calls the chart shows (goto.client-id)
     * @param limitCalls goto.rate-limit's calls per {@code limitSeconds}
     */
    public ConsolePages(DataSource dataSource, GoToAccounts accounts, StoredSecrets secrets, FormRules forms, String username,
                        String password, String connection, int limitCalls, long limitSeconds) {
        this.dataSource = dataSource;
        this.accounts = accounts;
        this.secrets = secrets;
        this.forms = forms;
        this.username = username.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.connection = connection;
        this.limitCalls = limitCalls;
        this.limitSeconds = limitSeconds;
    }

    /** {@code GET /admin}. */
    public void page(Exchange exchange) throws SQLException {
        if (!signedIn(exchange)) {
            return;
        }
        StringBuilder html = new StringBuilder();
        String csrf = csrf();
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>goto-mautic-bridge</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f2f2f2}")
                .append(".bad{color:#a00}.ok{color:#060}form{display:inline}</style></head><body><h1>goto-mautic-bridge</h1>");
        notice(exchange, html);
        accounts(html, csrf);
        syncs(html);
        queues(html);
        deadLetters(html, csrf);
        requests(html);
        chart(html);
        html.append("</body></html>");
        answer(exchange, 200, html.toString());
    }

    /** {@code POST /admin/replay}: one dead letter back in its queue. */
    public void replay(Exchange exchange) throws SQLException {
        if (!signedIn(exchange) || !tokenChecked(exchange)) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(form(exchange, "id"));
        } catch (NumberFormatException e) {
            answer(exchange, 400, page("Bad request", "No dead letter named."));
            return;
        }
        List<Long> replayed = new DeadLetters(dataSource).replay(id);
        seeOther(exchange, replayed.isEmpty() ? "dead letter #" + id + " is not open any more" : "replayed dead letter #" + id);
    }

    /** {@code POST /admin/disconnect}: stop using a GoTo account. */
    public void disconnect(Exchange exchange) throws SQLException {
        if (!signedIn(exchange) || !tokenChecked(exchange)) {
            return;
        }
        String name = form(exchange, "name");
        seeOther(exchange, name != null && accounts.disconnect(name) ? "disconnected " + name : "no connected account " + name);
    }

    /** {@code POST /admin/connect}: on to GoTo's consent page, by /connect/goto. */
    public void connect(Exchange exchange) throws SQLException {
        if (!signedIn(exchange) || !tokenChecked(exchange)) {
            return;
        }
        clear(exchange, 303);
        exchange.getMessage().setHeader("Location", "/connect/goto");
        exchange.getMessage().setBody("");
    }

    private void accounts(StringBuilder html, String csrf) throws SQLException {
        html.append("<h2>GoTo accounts</h2>");
        List<GoToAccounts.Account> list = accounts.list();
        if (list.isEmpty()) {
            html.append("<p id=\"no-accounts\">No GoTo account connected.</p>");
        } else {
            html.append("<table id=\"accounts\"><tr><th>account</th><th>organizer</th><th>state</th><th></th></tr>");
            for (GoToAccounts.Account a : list) {
                html.append("<tr><td>").append(esc(a.name())).append("</td><td>").append(esc(a.organizerKey())).append("</td><td>")
                        .append(a.connected() ? "connected " + TIME.format(a.connectedAt()) : "disconnected " + TIME.format(a.disconnectedAt()))
                        .append("</td><td>");
                if (a.connected()) {
                    html.append(action("/admin/disconnect", csrf, "name", a.name(), "Disconnect", "disconnect-" + a.organizerKey()));
                }
                html.append("</td></tr>");
            }
            html.append("</table>");
        }
        html.append(action("/admin/connect", csrf, null, null, "Connect a GoTo account", "connect"));
    }

    private void syncs(StringBuilder html) throws SQLException {
        html.append("<h2>Last sync</h2><table id=\"syncs\"><tr><th>product</th><th>finished</th><th>outcome</th><th>summary</th></tr>");
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT product, started_at, finished_at, outcome, message FROM sync_cursor WHERE scope = '' ORDER BY product");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String outcome = rs.getString(4) == null ? "running" : rs.getString(4);
                html.append("<tr><td>").append(esc(rs.getString(1))).append("</td><td>")
                        .append(rs.getTimestamp(3) == null ? "" : TIME.format(rs.getTimestamp(3).toInstant()))
                        .append("</td><td class=\"").append(outcome.equals("ok") ? "ok" : "bad").append("\">").append(esc(outcome))
                        .append("</td><td>").append(esc(rs.getString(5))).append("</td></tr>");
            }
        }
        html.append("</table>");
    }

    private void queues(StringBuilder html) throws SQLException {
        html.append("<h2>Queues</h2><table id=\"queues\"><tr><th>inbox pending</th><th>outbox pending</th><th>dead letters</th></tr><tr>");
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT (SELECT count(*) FROM inbox WHERE status = 'pending'), (SELECT count(*) FROM outbox WHERE status = 'pending'),
                       (SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL)
                """); ResultSet rs = st.executeQuery()) {
            rs.next();
            for (int i = 1; i <= 3; i++) {
                html.append("<td>").append(rs.getLong(i)).append("</td>");
            }
        }
        html.append("</tr></table>");
    }

    private void deadLetters(StringBuilder html, String csrf) throws SQLException {
        html.append("<h2>Dead letters</h2>");
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT id, source, reason, created_at FROM dead_letter WHERE replayed_at IS NULL ORDER BY id DESC LIMIT 50
                """); ResultSet rs = st.executeQuery()) {
            StringBuilder rows = new StringBuilder();
            while (rs.next()) {
                rows.append("<tr id=\"dead-").append(rs.getLong(1)).append("\"><td>#").append(rs.getLong(1)).append("</td><td>")
                        .append(esc(rs.getString(2))).append("</td><td>").append(TIME.format(rs.getTimestamp(4).toInstant()))
                        .append("</td><td>").append(esc(rs.getString(3))).append("</td><td>")
                        .append(action("/admin/replay", csrf, "id", String.valueOf(rs.getLong(1)), "Replay", "replay-" + rs.getLong(1)))
                        .append("</td></tr>");
            }
            html.append(rows.length() == 0 ? "<p id=\"no-dead-letters\">None.</p>"
                    : "<table id=\"dead-letters\"><tr><th></th><th>queue</th><th>since</th><th>reason</th><th></th></tr>" + rows + "</table>");
        }
    }

    /** The latest requests from Mautic that asked for something: registrations and session links. */
    private void requests(StringBuilder html) throws SQLException {
        html.append("<h2>Latest registrations from Mautic</h2>");
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT received_at, source, status, payload FROM inbox ORDER BY id DESC LIMIT 200");
             ResultSet rs = st.executeQuery()) {
            while (rs.next() && rows.size() < 20) {
                List<InboundRequest> asked;
                try {
                    asked = InboundRequest.of(JSON.readTree(rs.getString(4)), forms);
                } catch (java.io.IOException | RuntimeException e) {
                    continue;
                }
                for (InboundRequest r : asked) {
                    rows.add("<tr><td>" + TIME.format(rs.getTimestamp(1).toInstant()) + "</td><td>" + esc(r.origin()) + "</td><td>"
                            + esc(r.product()) + " " + esc(r.eventKey() == null ? "" : r.eventKey()) + "</td><td>"
                            + esc(r.email() == null ? "contact " + r.contactId() : r.email()) + "</td><td>" + esc(rs.getString(3)) + "</td></tr>");
                }
            }
        }
        html.append(rows.isEmpty() ? "<p id=\"no-requests\">None yet.</p>" : "<table id=\"requests\"><tr><th>received</th><th>from</th>"
                + "<th>event</th><th>person</th><th>state</th></tr>" + String.join("", rows) + "</table>");
    }

    /** GoTo calls per minute over the last hour (bars) against the limit per minute (the line). */
    private void chart(StringBuilder html) throws SQLException {
        int[] perMinute = new int[60];
        Instant now = Instant.now();
        long thisMinute = now.getEpochSecond() / 60;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT minute, calls FROM goto_call_minute WHERE connection = ? AND minute > now() - interval '1 hour'")) {
            st.setString(1, connection);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long ago = thisMinute - rs.getTimestamp(1).toInstant().getEpochSecond() / 60;
                    if (ago >= 0 && ago < 60) {
                        perMinute[59 - (int) ago] += rs.getInt(2);
                    }
                }
            }
        }
        double limit = limitCalls * 60.0 / limitSeconds;
        int top = (int) Math.max(limit * 1.2, java.util.Arrays.stream(perMinute).max().orElse(0));
        int total = java.util.Arrays.stream(perMinute).sum();
        html.append("<h2>GoTo calls per minute, last hour</h2><p id=\"calls-total\">").append(total).append(" calls; limit ")
                .append((long) limit).append(" per minute (goto.rate-limit)</p><svg id=\"calls\" width=\"620\" height=\"185\" role=\"img\">");
        for (int i = 0; i < 60; i++) {
            int h = top == 0 ? 0 : (int) Math.round(150.0 * perMinute[i] / top);
            html.append("<rect x=\"").append(10 + i * 10).append("\" y=\"").append(160 - h).append("\" width=\"8\" height=\"").append(h)
                    .append("\" fill=\"#1a5fd0\"><title>").append(perMinute[i]).append(" calls</title></rect>");
        }
        int y = top == 0 ? 10 : (int) Math.round(160 - 150.0 * limit / top);
        html.append("<line x1=\"10\" x2=\"610\" y1=\"").append(y).append("\" y2=\"").append(y)
                .append("\" stroke=\"#a00\" stroke-dasharray=\"4\"/>")
                .append("<text x=\"10\" y=\"178\" font-size=\"11\">60 min ago</text><text x=\"588\" y=\"178\" font-size=\"11\">now</text>")
                .append("<text x=\"14\" y=\"").append(Math.max(12, y - 4)).append("\" font-size=\"11\" fill=\"#a00\">limit</text></svg>");
    }

    private static String action(String path, String csrf, String field, String value, String label, String id) {
        return "<form method=\"post\" action=\"" + path + "\"><input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">"
                + (field == null ? "" : "<input type=\"hidden\" name=\"" + field + "\" value=\"" + esc(value) + "\">")
                + "<button type=\"submit\" id=\"" + esc(id) + "\">" + esc(label) + "</button></form>";
    }

    private static void notice(Exchange exchange, StringBuilder html) {
        String done = query(exchange, "done");
        if (done != null && !done.isBlank()) {
            html.append("<p id=\"notice\" class=\"ok\">").append(esc(done)).append("</p>");
        }
    }

    /** HTTP basic against bridge.admin.*, compared in constant time; else 401 asking for it. */
    private boolean signedIn(Exchange exchange) {
        if (username.length == 0 || password.length == 0) {
            // never open: a route started by hand without the credentials answers nothing but this
            answer(exchange, 503, page("Off", "The admin console is off: bridge.admin.username and bridge.admin.password are empty."));
            return false;
        }
        String header = header(exchange, "Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon > 0 && MessageDigest.isEqual(pair.substring(0, colon).getBytes(StandardCharsets.UTF_8), username)
                        && MessageDigest.isEqual(pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8), password)) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // not base64: as wrong as a wrong password
            }
        }
        clear(exchange, 401);
        exchange.getMessage().setHeader("WWW-Authenticate", "Basic realm=\"goto-mautic-bridge admin\", charset=\"UTF-8\"");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getMessage().setBody(page("Sign in", "The admin console needs bridge.admin.username and bridge.admin.password."));
        return false;
    }

    private boolean tokenChecked(Exchange exchange) throws SQLException {
        String sent = form(exchange, "csrf");
        if (sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), csrf().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        answer(exchange, 403, page("Refused", "The form's token is missing or wrong: reload the console and try again."));
        return false;
    }

    private String csrf() throws SQLException {
        byte[] key = csrfKey;
        if (key == null) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            key = Base64.getDecoder().decode(secrets.putIfAbsent("console.csrf-key", Base64.getEncoder().encodeToString(fresh)));
            csrfKey = key;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(username));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void seeOther(Exchange exchange, String done) {
        clear(exchange, 303);
        exchange.getMessage().setHeader("Location", "/admin?done=" + java.net.URLEncoder.encode(done, StandardCharsets.UTF_8));
        exchange.getMessage().setBody("");
    }

    private static void answer(Exchange exchange, int status, String html) {
        clear(exchange, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getMessage().setBody(html);
    }

    /** The request's headers and form fields (platform-http copies both into the message) are not echoed back. */
    private static void clear(Exchange exchange, int status) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setHeader("X-Frame-Options", "DENY");
    }

    private static String page(String title, String text) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title></head><body><h1>"
                + esc(title) + "</h1><p id=\"outcome\">" + esc(text) + "</p></body></html>";
    }

    private static String header(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getHeader(name) : null;
    }

    private static String query(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getParam(name) : null;
    }

    /** A field of the posted form ({@code application/x-www-form-urlencoded}), never of the query. */
    private static String form(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getFormAttribute(name) : null;
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
