package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.Settings;

/**
 * What {@code status} shows from the database: last sync per product and GoTo account, queue depths, dead letters,
 * and the start links of the sessions the bridge created, which are the organizer's.
 *
 * @param syncs per product, each account's last sync; an empty list for a product never synced
 */
public record StatusReport(Map<String, List<LastSync>> syncs, long inboxWaiting, long outboxWaiting, List<Subscription> subscriptions,
                           long deadLetters, List<DeadLetter> recentDeadLetters, List<OrganizerLink> recentOrganizerLinks,
                           List<Webhooks> goToWebhooks) {

    /** A GoTo account's subscription to GoToWebinar's webhooks, as last made or checked. */
    public record Webhooks(String account, String state, String message, OffsetDateTime checkedAt) {
    }

    /** {@code interrupted}: not finished, and the process that ran it has no connection left (killed, crashed). */
    public record LastSync(String account, OffsetDateTime startedAt, OffsetDateTime finishedAt, String outcome, String message,
                           boolean interrupted) {
    }

    /**
     * A subscription to the changes.
     *
     * @param behind changes committed that it has not copied yet (its lag), plus those copied and not delivered
     */
    public record Subscription(String name, long behind, long dead, OffsetDateTime seenAt) {
    }

    /** @param account the GoTo account the work was for, or null */
    public record DeadLetter(long id, String source, String reference, String account, String reason, OffsetDateTime createdAt) {
    }

    public record OrganizerLink(String product, String sessionKey, String forEmail, String startUrl, OffsetDateTime createdAt) {
    }

    public static StatusReport read(DataSource dataSource) throws SQLException {
        return read(dataSource, 5);
    }

    /** @param deadLetters how many of the open dead letters, the latest, to list */
    public static StatusReport read(DataSource dataSource, int deadLetters) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, List<LastSync>> syncs = new LinkedHashMap<>();
            for (String product : Settings.PRODUCTS) {
                syncs.put(product, new ArrayList<>());
            }
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT product, account, started_at, finished_at, outcome, message, finished_at IS NULL AND NOT EXISTS "
                            + "(SELECT 1 FROM pg_stat_activity a WHERE a.application_name = sync_cursor.instance) "
                            + "FROM sync_cursor WHERE scope = '' ORDER BY account");
                 ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    syncs.get(rs.getString(1)).add(new LastSync(rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                            rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getString(6), rs.getBoolean(7)));
                }
            }
            List<DeadLetter> recent = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT id, source, reference, account, reason, created_at FROM dead_letter WHERE replayed_at IS NULL"
                            + " ORDER BY id DESC LIMIT ?")) {
                st.setInt(1, deadLetters);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        recent.add(new DeadLetter(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getObject(6, OffsetDateTime.class)));
                    }
                }
            }
            List<OrganizerLink> links = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT product, session_key, for_email, start_url, created_at FROM organizer_link ORDER BY id DESC LIMIT 5");
                 ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    links.add(new OrganizerLink(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class)));
                }
            }
            List<Subscription> subscriptions = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT s.name, """ + Subscriptions.BEHIND + """
                      , (SELECT count(*) FROM subscription_delivery d WHERE d.subscription = s.name AND d.status = 'dead'),
                      s.seen_at
                    FROM subscription s ORDER BY s.name
                    """); ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    subscriptions.add(new Subscription(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getObject(4, OffsetDateTime.class)));
                }
            }
            List<Webhooks> webhooks = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT account, state, message, checked_at FROM goto_webhook ORDER BY account");
                 ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    webhooks.add(new Webhooks(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class)));
                }
            }
            return new StatusReport(syncs,
                    count(c, "SELECT count(*) FROM inbox WHERE status = 'pending'"),
                    count(c, "SELECT count(*) FROM outbox WHERE status = 'pending'"),
                    subscriptions,
                    count(c, "SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL"),
                    recent, links, webhooks);
        }
    }

    static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
