package io.gotomautic.bridge.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The change record's JSON is a contract with integrators: its field names and values, and old rows brought to it. */
class ChangeTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void itsJsonHasTheDocumentedFieldsAndValuesAndReadsBackTheSame() throws Exception {
        Change change = Change.of(Change.Type.NO_SHOW,
                new Change.Event("webinar", "default", "7480956961828841115", "Quarterly update", Instant.parse("2026-06-15T16:00:00Z")),
                new Change.Person("Ada@Example.com", "Ada", "Lovelace", "335", "https://join/1", 0, Map.of("s2", 0L),
                        Map.of("jobTitle", "Analyst"), List.of(new Change.Answer("Company name", "Engines"))),
                Change.Type.REGISTERED, Change.Source.FORM);
        JsonNode json = JSON.readTree(JSON.writeValueAsString(change));

        assertThat(json.fieldNames()).toIterable().containsExactly("id", "type", "product", "account", "eventKey", "eventTitle", "eventStart",
                "email", "firstName", "lastName", "registrantKey", "joinUrl", "minutes", "secondsBySession", "previous",
                "occurredAt", "source", "details", "answers");
        assertThat(json.get("type").asText()).isEqualTo("no-show");
        assertThat(json.get("previous").asText()).isEqualTo("registered");
        assertThat(json.get("source").asText()).isEqualTo("form");
        assertThat(json.get("email").asText()).as("the person's key, lower-cased").isEqualTo("ada@example.com");
        assertThat(json.get("eventStart").asText()).isEqualTo("2026-06-15T16:00:00Z");
        assertThat(Instant.parse(json.get("occurredAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(json.get("answers").get(0).get("question").asText()).isEqualTo("Company name");
        assertThat(json.get("details").get("jobTitle").asText()).isEqualTo("Analyst");
        assertThat(JSON.readValue(JSON.writeValueAsString(change), Change.class)).isEqualTo(change);
        assertThat(Change.of(Change.Type.ATTENDED, new Change.Event("meeting", "default", "1", "M", null),
                new Change.Person("a@b.c", null, null, null, null, 1, null, null, null), null, Change.Source.POLL).id())
                .as("a new id per change").isNotEqualTo(change.id());

        JsonNode cancelled = JSON.readTree(JSON.writeValueAsString(Change.of(Change.Type.EVENT_CANCELLED,
                new Change.Event("training", "default", "42", "Onboarding", null), Change.Source.POLL)));
        assertThat(cancelled.get("type").asText()).isEqualTo("event-cancelled");
        assertThat(cancelled.get("email").isNull()).as("no person in a change to the event").isTrue();
        assertThat(cancelled.get("eventStart").isNull()).isTrue();
        assertThat(cancelled.has("aboutEvent")).as("not a field of the record").isFalse();
    }

    @Test
    void changesQueuedByTheVersionBeforeAreRewrittenToTheRecordOnUpgrade() throws Exception {
        Flyway.configure().dataSource(DB.url(), "postgres", "")
                .locations("classpath:db/migration", "classpath:io/gotomautic/bridge/store/migration").target("14").load().migrate();
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO event (product, event_key, title, starts_at, ends_at) VALUES ('training', '42', 'Onboarding',"
                    + " '2026-05-04 09:30:00+00', '2026-05-04 11:00:00+00')");
            st.execute("INSERT INTO outbox (kind, payload, created_at) VALUES ('registration', '{\"product\": \"training\","
                    + " \"eventKey\": \"42\", \"title\": \"Onboarding\", \"date\": \"2026-05-04\", \"email\": \"grace@example.com\","
                    + " \"firstName\": \"Grace\", \"lastName\": null, \"registrantKey\": \"9\", \"joinUrl\": null, \"state\": \"attended\","
                    + " \"previous\": \"registered\", \"minutes\": 12, \"secondsBySession\": {\"s1\": 700}}', '2026-05-04 12:00:00+00')");
            st.execute("INSERT INTO outbox (kind, payload) VALUES ('email', '{\"email\": \"grace@example.com\", \"emailId\": 3}')");
        }
        Flyway.configure().dataSource(DB.url(), "postgres", "")
                .locations("classpath:db/migration", "classpath:io/gotomautic/bridge/store/migration").load().migrate();

        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT kind, payload::text FROM outbox ORDER BY id")) {
            rs.next();
            Change change = JSON.readValue(rs.getString(2), Change.class);
            assertThat(change.type()).isEqualTo(Change.Type.ATTENDED);
            assertThat(change.previous()).isEqualTo(Change.Type.REGISTERED);
            assertThat(change.eventTitle()).isEqualTo("Onboarding");
            assertThat(change.eventStart()).isEqualTo("2026-05-04T09:30:00Z");
            assertThat(change.occurredAt()).isEqualTo("2026-05-04T12:00:00Z");
            assertThat(change.source()).isEqualTo(Change.Source.POLL);
            assertThat(change.minutes()).isEqualTo(12);
            assertThat(change.secondsBySession()).containsEntry("s1", 700L);
            assertThat(change.id()).hasSize(36);
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("email");
            assertThat(JSON.readTree(rs.getString(2)).has("type")).as("an email row is not a change").isFalse();
        }
    }
}
