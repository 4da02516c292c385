package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code java -jar target/goto-mautic-bridge.jar replay [--id N]} on the real PostgreSQL. */
class ReplayIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static String[] run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString(), "replay"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BRIDGE_DB_URL", DB.url());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    @Test
    void deadLettersGoBackToTheirQueue() throws Exception {
        Database.open(TestBridge.settings(DB.settings())).close();
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO inbox (id, source, delivery_key, payload, status, attempts) VALUES (41, 'mautic-webhook', 'k1', '{}', 'dead', 3);
                    INSERT INTO outbox (id, kind, payload, status) VALUES (42, 'registration', '{}', 'dead');
                    INSERT INTO dead_letter (id, source, reference, payload, reason) VALUES
                      (1, 'inbox', 'inbox#41', '{}', 'GoTo has no webinar with key 1'),
                      (2, 'outbox', 'outbox#42', '{}', 'Mautic refused the contact x');
                    """);
        }
        String[] one = run("--id", "2");
        assertThat(one[0]).as(one[2]).isEqualTo("0");
        assertThat(one[1].strip()).isEqualTo("replayed 1 dead letter(s): #2");
        String[] rest = run();
        assertThat(rest[1].strip()).isEqualTo("replayed 1 dead letter(s): #1");
        String[] missing = run("--id", "2");
        assertThat(missing[0]).isEqualTo("1");
        assertThat(missing[2]).contains("no open dead letter #2");
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT status || '/' || attempts FROM inbox WHERE id = 41), "
                     + "(SELECT status FROM outbox WHERE id = 42), (SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("pending/0");
            assertThat(rs.getString(2)).isEqualTo("pending");
            assertThat(rs.getLong(3)).isZero();
        }
    }
}
