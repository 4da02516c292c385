package io.gotomautic.bridge.mautic;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.store.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One drain of the outbox, from step to step of routes/push.camel.yaml while the drainer's lease is held: the due rows
 * in order, cut into parts (a run of registration changes, pushed as one batch, or one link email, sent after the
 * changes queued before it), and the rows that wait. A row that must wait holds back the later rows of its person and
 * event only. A change whose own call failed is not counted at once: only a later call that succeeds shows that Mautic
 * is up and the failure was the change's; a streak of failures is Mautic's.
 */
public final class Drain {

    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    /**
     * Calls of this many different changes failing one after another, none succeeding between them, are Mautic's
     * failure rather than theirs (the batch calls succeeded, then Mautic went down): the queue holds, nothing counted.
     */
    private static final int OUTAGE_STREAK = 3;

    private final Outbox outbox;
    private final boolean claimed;
    private final List<Outbox.Row> rows;
    private final BooleanSupplier paused;
    private final List<Outbox.Row> waiting = new ArrayList<>();
    private final List<Map.Entry<Outbox.Row, MauticException>> streak = new ArrayList<>();
    private int from;
    private List<Outbox.Row> part;
    /** Rows that left the queue, pushed or as dead letters. */
    private int left;

    Drain(Outbox outbox, boolean claimed, List<Outbox.Row> rows, BooleanSupplier paused) {
        this.outbox = outbox;
        this.claimed = claimed;
        this.rows = rows;
        this.paused = paused;
    }

    /** Whether this drain holds the lease (else another instance drains, or the queue is paused). */
    public boolean claimed() {
        return claimed;
    }

    /** Whether a part is left to push, Mautic not paused. */
    public boolean hasNext() {
        if (paused.getAsBoolean()) {
            return false;
        }
        if (part == null) {
            part = cut();
        }
        return part != null;
    }

    List<Outbox.Row> next() {
        if (!hasNext()) {
            throw new IllegalStateException("the drain has no part left");
        }
        List<Outbox.Row> next = part;
        part = null;
        return next;
    }

    private List<Outbox.Row> cut() {
        while (from < rows.size()) {
            if (rows.get(from).kind().equals(LinkEmails.KIND)) {
                Outbox.Row email = rows.get(from++);
                if (!holdsBack(email)) {
                    return List.of(email);
                }
                continue;
            }
            int to = from;
            while (to < rows.size() && !rows.get(to).kind().equals(LinkEmails.KIND)) {
                to++;
            }
            List<Outbox.Row> run = rows.subList(from, to).stream().filter(r -> !holdsBack(r)).toList();
            from = to;
            if (!run.isEmpty()) {
                return run;
            }
        }
        return null;
    }

    boolean paused() {
        return paused.getAsBoolean();
    }

    /** Whether the row waits: it failed in this drain, or an earlier row of its person and event did. */
    boolean holdsBack(Outbox.Row row) {
        return waiting.stream().anyMatch(w -> w.holdsBack(row));
    }

    /** Rows that left the queue, pushed or dead-lettered. */
    void left(int n) {
        left += n;
    }

    int left() {
        return left;
    }

    /** A change's own call failed; true when the streak says Mautic is down (then nothing is counted). */
    boolean failed(Outbox.Row row, MauticException e) {
        waiting.add(row);
        streak.add(Map.entry(row, e));
        return streak.size() >= OUTAGE_STREAK;
    }

    /** A call succeeded: the failures before it were the changes' own, each counted as an attempt. */
    void succeeded() throws SQLException {
        for (Map.Entry<Outbox.Row, MauticException> f : streak) {
            MauticException e = f.getValue();
            if (outbox.retryLater(f.getKey(), e.getMessage(), e.retryAfter().orElse(java.time.Duration.ZERO))) {
                left++;
                LOG.warn("Outbox row {} is a dead letter after {} attempts ('replay' once mended): {}", f.getKey().id(),
                        Queue.MAX_ATTEMPTS, EmailAddress.masked(e.getMessage()));
            } else {
                LOG.warn("Outbox row {} waits for a retry, with the later changes of its person: {}", f.getKey().id(),
                        EmailAddress.masked(e.getMessage()));
            }
        }
        streak.clear();
    }

    /** Rows still in the queue of what this drain took. */
    int unfinished() {
        return rows.size() - left;
    }
}
