package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The queues as Prometheus gauges, read from the database at each scrape, so every instance reports the cluster's
 * figures: {@code bridge_dead_letters{source}} (not yet replayed; {@code subscription_delivery}: the subscriptions'), {@code bridge_inbox_pending},
 * {@code bridge_outbox_pending}. A database that cannot answer reports NaN.
 */
public final class QueueMetrics {

    private QueueMetrics() {
    }

    public static void register(MeterRegistry registry, DataSource dataSource) {
        for (String source : new String[] {"inbox", "outbox", "subscription_delivery"}) {
            Gauge.builder("bridge.dead.letters", () -> count(dataSource,
                            "SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL AND source = '" + source + "'"))
                    .description("Dead letters not yet replayed: work that failed for a reason no retry mends")
                    .tag("source", source).register(registry);
        }
        Gauge.builder("bridge.inbox.pending", () -> count(dataSource, "SELECT count(*) FROM inbox WHERE status = 'pending'"))
                .description("Stored webhook deliveries and campaign calls not yet carried out").register(registry);
        Gauge.builder("bridge.outbox.pending", () -> count(dataSource, "SELECT count(*) FROM outbox WHERE status = 'pending'"))
                .description("Changes and emails queued for Mautic").register(registry);
    }

    private static double count(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection()) {
            return StatusReport.count(c, sql);
        } catch (SQLException e) {
            return Double.NaN;
        }
    }
}
