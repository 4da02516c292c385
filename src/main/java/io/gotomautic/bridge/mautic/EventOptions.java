package io.gotomautic.bridge.mautic;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.store.PartStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the upcoming webinars and trainings as the options of the Mautic contact select fields
 * {@code goto_webinar} and {@code goto_training} (value = event key, label = title and date), so a form field
 * mapped to them lists them. The list comes from the events the pull sync stored; routes/push.camel.yaml calls
 * Mautic ({@code mautic:fields/setOptions}) only for a list that changed.
 */
public class EventOptions {

    private static final Logger LOG = LoggerFactory.getLogger(EventOptions.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> FIELDS = Map.of("webinar", "goto_webinar", "training", "goto_training");
    private static final Map<String, String> LABELS = Map.of("webinar", "GoTo webinar", "training", "GoTo training");

    /**
     * A select field whose list changed since Mautic was last told.
     *
     * @param options the upcoming events, as {@code label} (title and date) and {@code value} (the key)
     */
    public record Field(String alias, String label, String product, List<MauticClient.Option> options, String json) {
    }

    private final DataSource dataSource;
    private final PartStates parts;

    public EventOptions(DataSource dataSource, PartStates parts) {
        this.dataSource = dataSource;
        this.parts = parts;
    }

    /** The fields whose list of upcoming events changed (none while both are as Mautic was last told, or empty). */
    public List<Field> changed() throws SQLException {
        List<Field> changed = new ArrayList<>();
        for (Map.Entry<String, String> f : FIELDS.entrySet()) {
            List<MauticClient.Option> options = upcoming(f.getKey());
            String json = json(options);
            String last = lastWritten(f.getValue());
            if (!json.equals(last) && !(last == null && options.isEmpty())) {
                changed.add(new Field(f.getValue(), LABELS.get(f.getKey()), f.getKey(), options, json));
            }
        }
        return changed;
    }

    /** Mautic lists the field's events now. */
    public void written(Field field) throws SQLException {
        remember(field.alias(), field.json());
        LOG.info("Mautic field {} now lists {} upcoming {}(s)", field.alias(), field.options().size(), field.product());
    }

    /**
     * Mautic did not take the list: a setting is said with the push's (the list is written after the fix); anything
     * else is the route's, tried again on the next tick.
     */
    public void failed(MauticException e) {
        if (e.fix().isEmpty()) {
            throw e;
        }
        parts.held(PartStates.MAUTIC, e.fix().get(), e.getMessage());
    }

    private List<MauticClient.Option> upcoming(String product) throws SQLException {
        List<MauticClient.Option> options = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT event_key, title, starts_at FROM event
                WHERE product = ? AND ends_at > now() AND cancelled_at IS NULL ORDER BY starts_at, event_key
                """)) {
            st.setString(1, product);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String day = rs.getObject(3, java.time.OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toString();
                    options.add(new MauticClient.Option(rs.getString(2) + " (" + day + ")", rs.getString(1)));
                }
            }
        }
        return options;
    }

    private String lastWritten(String alias) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT options::text FROM mautic_field_options WHERE alias = ?")) {
            st.setString(1, alias);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? json(JSON.readTree(rs.getString(1))) : null;
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    private void remember(String alias, String json) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO mautic_field_options (alias, options) VALUES (?, ?::jsonb) "
                        + "ON CONFLICT (alias) DO UPDATE SET options = EXCLUDED.options")) {
            st.setString(1, alias);
            st.setString(2, json);
            st.executeUpdate();
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
