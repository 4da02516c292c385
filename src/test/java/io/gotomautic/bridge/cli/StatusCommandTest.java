package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.StatusReport;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    @Test
    void subscriptionsDeadLettersAndTheOrganizersStartLinksAreListed() {
        OffsetDateTime at = OffsetDateTime.parse("2026-12-01T10:00:00Z");
        Map<String, List<StatusReport.LastSync>> syncs = new LinkedHashMap<>();
        Settings.PRODUCTS.forEach(p -> syncs.put(p, List.of()));
        syncs.put("webinar", List.of(new StatusReport.LastSync("default", at, at, "ok", "3 events", false),
                new StatusReport.LastSync("grace@example.com", at, null, null, null, true)));
        StatusReport report = new StatusReport(syncs, 2, 0,
                List.of(new StatusReport.Subscription("slack-attendees", 3, 1, at)), 1,
                List.of(new StatusReport.DeadLetter(7, "inbox", "inbox#12", "grace@example.com", "GoTo has no webinar with key 1", at)),
                List.of(new StatusReport.OrganizerLink("meeting", "123", "ada@example.com", "https://global.gotomeeting.com/start/123?t=x", at)),
                List.of(new StatusReport.Webhooks("default", "active", "4 events to https://bridge.example.com/webhooks/goto?account=default", at)));
        StringWriter text = new StringWriter();
        StatusCommand.print(new PrintWriter(text), Settings.load(Path.of("application.properties"), Map.of(), new Properties(), Map.of()),
                "jdbc:postgresql://db/bridge", report);

        assertThat(text.toString())
                .contains("  inbox     2 waiting")
                .contains("  subscription slack-attendees: 3 change(s) to deliver, 1 dead, last polled 2026-12-01T10:00Z")
                .contains("  webinar   default  2026-12-01T10:00Z  ok  3 events\n  webinar   grace@example.com  2026-12-01T10:00Z  interrupted")
                .contains("  training  never synced")
                .contains("GoTo webhooks:\n  default  active (checked 2026-12-01T10:00Z): 4 events to"
                        + " https://bridge.example.com/webhooks/goto?account=default")
                .contains("dead letters: 1\n  #7 2026-12-01T10:00Z inbox inbox#12 (GoTo account grace@example.com): GoTo has no webinar with key 1")
                .contains("sessions created, latest first (start links are the organizer's: do not forward them):\n"
                        + "  2026-12-01T10:00Z meeting 123 for ada@example.com: https://global.gotomeeting.com/start/123?t=x");
    }

    @Test
    void theGoToAccountsAreListedEachConnectedOnePolledAndNeverATokenOrNoneSaysWhereToConnect() {
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        Settings settings = Settings.load(Path.of("application.properties"), Map.of(), new Properties(),
                Map.of("goto.client-id", "client", "goto.client-secret", "secret", "bridge.public-url", "https://bridge.example.com"));
        StringWriter text = new StringWriter();
        StatusCommand.printAccounts(new PrintWriter(text, true), settings, List.of(
                new GoToAccounts.Account("ada@example.com", "111", "Ada@example.com", at, null),
                new GoToAccounts.Account("bob@example.com", "222", "bob@example.com", at.plusSeconds(60), null),
                new GoToAccounts.Account("old@example.com", "333", "old@example.com", at, at.plusSeconds(5))));
        assertThat(text.toString()).contains("GoTo accounts (each connected one is polled):\n"
                + "  ada@example.com  organizer 111  connected 2026-12-01T10:00:00Z  polled\n"
                + "  bob@example.com  organizer 222  connected 2026-12-01T10:01:00Z  polled\n"
                + "  old@example.com  organizer 333  disconnected 2026-12-01T10:00:05Z\n");
        StringWriter none = new StringWriter();
        StatusCommand.printAccounts(new PrintWriter(none, true), settings, List.of());
        assertThat(none.toString()).contains("  none connected: open https://bridge.example.com/connect/goto, or run `connect goto`");
    }
}
