package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service as an operator starts it: on PostgreSQL, migrated, with the routes of routes/ running. */
class BridgeServiceTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    static Bridge bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(DB.settings());
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void migrationsCreateTheStateAndQuartzTables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).contains("event", "registration", "inbox", "outbox", "sync_cursor", "dead_letter",
                "qrtz_job_details", "qrtz_triggers", "qrtz_cron_triggers", "qrtz_fired_triggers", "qrtz_locks",
                "qrtz_scheduler_state", "flyway_schema_history");
    }

    @Test
    void aPersonIsRegisteredOncePerEventWhateverTheCaseOfTheEmail() throws SQLException {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO registration (product, event_key, email, state) VALUES ('webinar', '-42', 'Ada@Example.com', 'registered')");
            assertThatThrownBy(() -> st.execute(
                    "INSERT INTO registration (product, event_key, email, state) VALUES ('webinar', '-42', 'ada@example.COM', 'registered')"))
                    .hasMessageContaining("registration_person");
            st.execute("INSERT INTO registration (product, event_key, email, state) VALUES ('training', '-42', 'ada@example.com', 'registered')");
        }
    }

    @Test
    void routesFromTheRoutesFolderRunAndAreMBeans() throws Exception {
        assertThat(bridge.camelContext().getRouteController().getRouteStatus("health")).isEqualTo(ServiceStatus.Started);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        for (String route : List.of("health", "metrics", "housekeeping")) {
            ObjectName name = new ObjectName("org.apache.camel:context=bridge,type=routes,name=\"" + route + "\"");
            assertThat(jmx.isRegistered(name)).as(route).isTrue();
            assertThat(jmx.getAttribute(name, "State")).isEqualTo("Started");
        }
        ObjectName health = new ObjectName("org.apache.camel:context=bridge,type=routes,name=\"health\"");
        long before = (Long) jmx.getAttribute(health, "ExchangesCompleted");
        TestBridge.get(bridge, "/health");
        assertThat((Long) jmx.getAttribute(health, "ExchangesCompleted")).isEqualTo(before + 1);
    }

    @Test
    void healthIsUpWithTheDatabaseChecked() throws Exception {
        HttpResponse<String> r = TestBridge.get(bridge, "/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("database").path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("route:housekeeping").path("status").asText()).isEqualTo("UP");
    }

    @Test
    void metricsServePrometheusTextWithRouteSeries() throws Exception {
        TestBridge.get(bridge, "/health");
        HttpResponse<String> r = TestBridge.get(bridge, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body())
                .contains("# TYPE camel_exchanges_total counter")
                .containsPattern("camel_exchanges_total\\{[^}]*routeId=\"health\"[^}]*} [1-9]")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void onlyGetIsServedOnTheOperationsEndpoints() throws Exception {
        var post = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/health"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        assertThat(java.net.http.HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(405);
    }

    @Test
    void quartzRunsClusteredOnTheDatabase() throws Exception {
        QuartzComponent quartz = bridge.camelContext().getComponent("quartz", QuartzComponent.class);
        assertThat(quartz.getScheduler().getMetaData().isJobStoreClustered()).isTrue();
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM qrtz_scheduler_state")) {
                rs.next();
                assertThat(rs.getInt(1)).as("instances checked in").isEqualTo(1);
            }
        }
        // one of the triggers in the clustered store, in no particular order beside the polls' own
        assertThat(DB.strings("SELECT trigger_name FROM qrtz_triggers")).anySatisfy(name -> assertThat(name).contains("housekeeping"));
    }

    @Test
    void housekeepingDeletesOnlyHandledRowsOlderThanTheRetention() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO inbox (source, delivery_key, payload, status, done_at) VALUES
                      ('mautic', 'old-done', '{}', 'done', now() - interval '40 days'),
                      ('mautic', 'new-done', '{}', 'done', now() - interval '1 day'),
                      ('mautic', 'old-pending', '{}', 'pending', NULL);
                    UPDATE inbox SET received_at = now() - interval '41 days' WHERE delivery_key = 'old-pending';
                    INSERT INTO outbox (kind, payload, status, delivered_at) VALUES
                      ('contact', '{}', 'delivered', now() - interval '31 days'),
                      ('contact', '{}', 'pending', NULL);
                    INSERT INTO webinar_session_end (account, webinar_key, ends_at) VALUES
                      ('default', '1', now() - interval '2 days'), ('default', '1', now() + interval '1 day');
                    """);
        }
        String deleted = bridge.camelContext().createProducerTemplate().requestBody("direct:housekeeping", null, String.class);
        assertThat(deleted).isEqualTo("inbox 1, outbox 1, subscription deliveries 0, dead letters 0");
        try (Connection c = DB.connect();
             PreparedStatement st = c.prepareStatement("SELECT string_agg(delivery_key, ',' ORDER BY delivery_key) FROM inbox");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("new-done,old-pending");
        }
        assertThat(DB.strings("SELECT count(*) FROM webinar_session_end WHERE ends_at > now()")).as("the session to come is kept")
                .containsExactly("1");
        assertThat(DB.strings("SELECT count(*) FROM webinar_session_end")).containsExactly("1");
    }
}
