package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * Work that could not succeed as it was, kept with its reason. Replaying puts the inbox or outbox row it came
 * from back in its queue, due now, once the cause is mended (an event created, a setting fixed).
 */
public class DeadLetters {

    private final DataSource dataSource;

    public DeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Replays every open dead letter, or only the one with this id; returns the ids replayed. */
    public List<Long> replay(Long only) throws SQLException {
        List<Long> replayed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT id, reference FROM dead_letter WHERE replayed_at IS NULL AND (?::bigint IS NULL OR id = ?) ORDER BY id FOR UPDATE");
                 PreparedStatement done = c.prepareStatement("UPDATE dead_letter SET replayed_at = now() WHERE id = ?")) {
                if (only == null) {
                    select.setNull(1, java.sql.Types.BIGINT);
                    select.setNull(2, java.sql.Types.BIGINT);
                } else {
                    select.setLong(1, only);
                    select.setLong(2, only);
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        String reference = rs.getString(2);
                        Queue.of(reference).revive(c, Long.parseLong(reference.substring(reference.indexOf('#') + 1)));
                        done.setLong(1, rs.getLong(1));
                        done.executeUpdate();
                        replayed.add(rs.getLong(1));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return replayed;
    }
}
