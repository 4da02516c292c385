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
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.gotoapi.GoToTokens;
import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.http.Requests;
import io.gotomautic.bridge.store.DeadLetters;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.StatusReport;
import io.gotomautic.bridge.store.StoredSecrets;
import io.gotomautic.bridge.sync.InboundRequest;
import org.apache.camel.Exchange;

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
    private final AdminCredentials admin;
    /** The accounts polled now, whose calls the charts show. */
    private final GoToConnections connections;
    /** goto.client-id: each account's limiter counts its calls as {@code <client-id>/<account>}. */
    private final String clientId;
    private final int limitCalls;
    private final long limitSeconds;
    private volatile byte[] csrfKey;

    /**
     * @param clientId goto.client-id, of which each account's connection is named
     * @param limitCalls goto.rate-limit's calls per {@code limitSeconds}
     */
    public ConsolePages(DataSource dataSource, GoToAccounts accounts, GoToConnections connections, StoredSecrets secrets,
                        FormRules forms, AdminCredentials admin, String clientId, int limitCalls, long limitSeconds) {
        this.dataSource = dataSource;
        this.accounts = accounts;
        this.secrets = secrets;
        this.forms = forms;
        this.admin = admin;
        this.connections = connections;
        this.clientId = clientId;
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
        StatusReport report = StatusReport.read(dataSource, 50);
        syncs(html, report);
        queues(html, report);
        deadLetters(html, report, csrf);
        requests(html);
        charts(html);
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
            id = Long.parseLong(Requests.formField(exchange, "id"));
        } catch (NumberFormatException e) {
            answer(exchange, 400, Answers.page("Bad request", "No dead letter named."));
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
        String name = Requests.formField(exchange, "name");
        seeOther(exchange, name != null && accounts.disconnect(name) ? "disconnected " + name : "no connected account " + name);
    }

    /** {@code POST /admin/connect}: on to GoTo's consent page, by /connect/goto. */
    public void connect(Exchange exchange) throws SQLException {
        if (!signedIn(exchange) || !tokenChecked(exchange)) {
            return;
        }
        Answers.clear(exchange, 303);
        exchange.getMessage().setHeader("Location", "/connect/goto");
        exchange.getMessage().setBody("");
    }

    private void accounts(StringBuilder html, String csrf) throws SQLException {
        html.append("<h2>GoTo accounts</h2>");
        List<GoToAccounts.Account> list = accounts.list();
        boolean configured = polled().contains(GoToTokens.CONFIGURED);
        if (list.isEmpty() && !configured) {
            html.append("<p id=\"no-accounts\">No GoTo account connected.</p>");
        } else {
            html.append("<table id=\"accounts\"><tr><th>account</th><th>organizer</th><th>state</th><th></th></tr>");
            if (configured) {
                html.append("<tr><td>").append(GoToTokens.CONFIGURED).append("</td><td></td><td>goto.refresh-token</td><td></td></tr>");
            }
            for (GoToAccounts.Account a : list) {
                html.append("<tr><td>").append(Answers.escape(a.name())).append("</td><td>").append(Answers.escape(a.organizerKey())).append("</td><td>")
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

    /** As {@code status} reads them: a poll whose process died is interrupted, not running. */
    private static void syncs(StringBuilder html, StatusReport report) {
        html.append("<h2>Last sync</h2><table id=\"syncs\"><tr><th>product</th><th>account</th><th>finished</th><th>outcome</th>"
                + "<th>summary</th></tr>");
        report.syncs().forEach((product, syncs) -> {
            List<StatusReport.LastSync> rows = syncs.isEmpty() ? java.util.Collections.singletonList(null) : syncs;
            for (StatusReport.LastSync sync : rows) {
                String outcome = sync == null || sync.startedAt() == null ? "never synced"
                        : sync.finishedAt() != null ? sync.outcome() : sync.interrupted() ? "interrupted" : "running";
                html.append("<tr><td>").append(Answers.escape(product)).append("</td><td>").append(Answers.escape(sync == null ? null : sync.account()))
                        .append("</td><td>").append(sync == null || sync.finishedAt() == null ? "" : TIME.format(sync.finishedAt()))
                        .append("</td><td class=\"").append(outcome.equals("ok") ? "ok" : "bad").append("\">").append(Answers.escape(outcome))
                        .append("</td><td>").append(Answers.escape(sync == null ? null : sync.message())).append("</td></tr>");
            }
        });
        html.append("</table>");
    }

    private static void queues(StringBuilder html, StatusReport report) {
        html.append("<h2>Queues</h2><table id=\"queues\"><tr><th>inbox pending</th><th>outbox pending</th><th>dead letters</th></tr>")
                .append("<tr><td>").append(report.inboxWaiting()).append("</td><td>").append(report.outboxWaiting()).append("</td><td>")
                .append(report.deadLetters()).append("</td></tr></table>");
    }

    private static void deadLetters(StringBuilder html, StatusReport report, String csrf) {
        html.append("<h2>Dead letters</h2>");
        if (report.recentDeadLetters().isEmpty()) {
            html.append("<p id=\"no-dead-letters\">None.</p>");
            return;
        }
        html.append("<table id=\"dead-letters\"><tr><th></th><th>queue</th><th>GoTo account</th><th>since</th><th>reason</th><th></th></tr>");
        for (StatusReport.DeadLetter d : report.recentDeadLetters()) {
            html.append("<tr id=\"dead-").append(d.id()).append("\"><td>#").append(d.id()).append("</td><td>").append(Answers.escape(d.source()))
                    .append("</td><td>").append(Answers.escape(d.account())).append("</td><td>").append(TIME.format(d.createdAt())).append("</td><td>").append(Answers.escape(d.reason())).append("</td><td>")
                    .append(action("/admin/replay", csrf, "id", String.valueOf(d.id()), "Replay", "replay-" + d.id())).append("</td></tr>");
        }
        html.append("</table>");
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
                    rows.add("<tr><td>" + TIME.format(rs.getTimestamp(1).toInstant()) + "</td><td>" + Answers.escape(r.origin()) + "</td><td>"
                            + Answers.escape(r.product()) + " " + Answers.escape(r.eventKey() == null ? "" : r.eventKey()) + "</td><td>"
                            + Answers.escape(r.email() == null ? "contact " + r.contactId() : r.email()) + "</td><td>" + Answers.escape(rs.getString(3)) + "</td></tr>");
                }
            }
        }
        html.append(rows.isEmpty() ? "<p id=\"no-requests\">None yet.</p>" : "<table id=\"requests\"><tr><th>received</th><th>from</th>"
                + "<th>event</th><th>person</th><th>state</th></tr>" + String.join("", rows) + "</table>");
    }

    /** Per account polled, its GoTo calls per minute over the last hour (bars) against its limit per minute (the line). */
    private void charts(StringBuilder html) throws SQLException {
        html.append("<h2>GoTo calls per minute, last hour</h2>");
        List<String> polled = polled();
        if (polled.isEmpty()) {
            html.append("<p>No GoTo account is polled.</p>");
        }
        for (String account : polled) {
            html.append("<h3>").append(Answers.escape(account)).append("</h3>");
            chart(html, account);
        }
    }

    private void chart(StringBuilder html, String account) throws SQLException {
        int[] perMinute = new int[60];
        Instant now = Instant.now();
        long thisMinute = now.getEpochSecond() / 60;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT minute, calls FROM goto_call_minute WHERE connection = ? AND minute > now() - interval '1 hour'")) {
            st.setString(1, clientId + "/" + account);
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
        html.append("<p class=\"calls-total\">").append(total).append(" calls; limit ")
                .append((long) limit).append(" per minute (goto.rate-limit)</p><svg class=\"calls\" width=\"620\" height=\"185\" role=\"img\">");
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

    /** The accounts polled now; none while the database does not say (the page shows what it can). */
    private List<String> polled() {
        try {
            return connections.names();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static String action(String path, String csrf, String field, String value, String label, String id) {
        return "<form method=\"post\" action=\"" + path + "\"><input type=\"hidden\" name=\"csrf\" value=\"" + Answers.escape(csrf) + "\">"
                + (field == null ? "" : "<input type=\"hidden\" name=\"" + field + "\" value=\"" + Answers.escape(value) + "\">")
                + "<button type=\"submit\" id=\"" + Answers.escape(id) + "\">" + Answers.escape(label) + "</button></form>";
    }

    private static void notice(Exchange exchange, StringBuilder html) {
        String done = Requests.param(exchange, "done");
        if (done != null && !done.isBlank()) {
            html.append("<p id=\"notice\" class=\"ok\">").append(Answers.escape(done)).append("</p>");
        }
    }

    /** HTTP basic against bridge.admin.*, compared in constant time; else 401 asking for it. */
    private boolean signedIn(Exchange exchange) {
        if (!admin.set()) {
            // never open: a route started by hand without the credentials answers nothing but this
            answer(exchange, 503, Answers.page("Off", "The admin console is off: bridge.admin.username and bridge.admin.password are empty."));
            return false;
        }
        if (admin.accept(Requests.header(exchange, "Authorization"))) {
            return true;
        }
        answer(exchange, 401, Answers.page("Sign in", "The admin console needs bridge.admin.username and bridge.admin.password."));
        exchange.getMessage().setHeader("WWW-Authenticate", AdminCredentials.CHALLENGE);
        return false;
    }

    private boolean tokenChecked(Exchange exchange) throws SQLException {
        String sent = Requests.formField(exchange, "csrf");
        if (sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), csrf().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        answer(exchange, 403, Answers.page("Refused", "The form's token is missing or wrong: reload the console and try again."));
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
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(admin.username()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void seeOther(Exchange exchange, String done) {
        Answers.clear(exchange, 303);
        exchange.getMessage().setHeader("Location", "/admin?done=" + java.net.URLEncoder.encode(done, StandardCharsets.UTF_8));
        exchange.getMessage().setBody("");
    }

    private static void answer(Exchange exchange, int status, String html) {
        Answers.html(exchange, status, html);
        exchange.getMessage().setHeader("X-Frame-Options", "DENY");
    }
}
