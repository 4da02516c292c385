package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.GoToTestSupport;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A poll and a registration of the same person who is new to the database, at the same moment: the second writer
 * waits for the first and finds the person there. Before, both inserted and one failed on the unique index, with the
 * person's address in the logged error.
 */
class ConcurrentRecordTest extends GoToTestSupport {

    final Instant start = Instant.now().plus(Duration.ofDays(2));
    final Participant ada = new Participant("Ada@example.com", "Ada", "Lovelace", "R1", "https://join/R1", Standing.REGISTERED,
            Map.of());
    ExecutorService poller;
    Reconciler reconciler;

    @BeforeEach
    void clean() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE outbox, registration, event");
        }
        reconciler = new Reconciler(database.dataSource(), Duration.ofHours(1), Duration.ofHours(1));
        poller = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        poller.shutdownNow();
    }

    private EventSnapshot snapshot(List<Participant> people) {
        return new EventSnapshot("webinar", "default", "900", "Launch", start, start.plus(Duration.ofHours(1)), List.of(),
                people, false, Instant.now(), Map.of());
    }

    @Test
    void aPollWaitsForARegistrationOfTheSamePersonAndFindsThemThere() throws Exception {
        // the event is known already: a new event's row alone would make the second writer wait
        reconciler.apply(snapshot(List.of()));
        try (Connection form = DB.connect()) {
            form.setAutoCommit(false);
            assertThat(reconciler.registered(form, snapshot(List.of()), ada, Change.Source.FORM, List.of())).isNotNull();
            Future<Reconciler.Outcome> poll = poller.submit(() -> reconciler.apply(snapshot(List.of(ada))));
            await().atMost(10, TimeUnit.SECONDS).until(() -> waiting() > 0);
            form.commit();
            assertThat(poll.get(10, TimeUnit.SECONDS).created()).isZero();
        }
        assertThat(rows("SELECT lower(email) || ' ' || state FROM registration")).containsExactly("ada@example.com registered");
        assertThat(rows("SELECT payload ->> 'source' FROM outbox WHERE payload ->> 'type' = 'registered'"))
                .containsExactly("form");
    }

    private static long waiting() throws Exception {
        return Long.parseLong(rows("SELECT count(*) FROM pg_locks WHERE NOT granted").get(0));
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
