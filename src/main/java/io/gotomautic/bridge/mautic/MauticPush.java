package io.gotomautic.bridge.mautic;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.sync.RegistrationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes registration changes from the outbox to Mautic in batches: one contact upsert per 200 people (fields
 * and tags included), one segment call per managed segment, then, per change, the timeline detail (a UTM row)
 * and a note where they are switched on. Tags and segments are those of each registration's state at push time,
 * not of the changes on the way. Every step can be repeated without effect, except the detail, which
 * a retry after a crash first looks for. A passing failure of one change's own call (its UTM row, note or email) makes
 * that change wait for its retry, with the later changes of its person and event, while the others go on; a failure of
 * Mautic as a whole (a batch call, or one call after another) holds the whole queue, counting no attempt.
 */
public class MauticPush {

    private static final Logger LOG = LoggerFactory.getLogger(MauticPush.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Products people register for; meetings and assist sessions only have attendance. */
    private static final Set<String> REGISTRATION_PRODUCTS = Set.of("webinar", "training");
    /** The contact fields campaigns and emails can use, created when missing. */
    private static final Map<String, String[]> FIELDS = fields();
    /** How often a queue held by a setting (a permission, the credentials) asks Mautic again. */
    static final java.time.Duration HELD_RETRY = java.time.Duration.ofSeconds(10);
    /** The longest pause of the queue while Mautic is down: it resumes within this of Mautic's return. */
    private static final java.time.Duration LONGEST_OUTAGE_PAUSE = java.time.Duration.ofMinutes(1);
    /**
     * Calls of this many different changes failing one after another, none succeeding between them, are Mautic's
     * failure rather than theirs (the batch calls succeeded, then Mautic went down): the queue holds, nothing counted.
     */
    private static final int OUTAGE_STREAK = 3;

    /** One outbox row, read: the change it carries. */
    private record Item(Outbox.Row row, Change change) {
        String email() {
            return change.email();
        }

        String product() {
            return change.product();
        }

        String key() {
            return change.eventKey();
        }

        RegistrationState state() {
            return RegistrationState.of(change.type().label());
        }

        /** {@code GoToWebinar · Quarterly update · 2026-06-15}: the event as people read it. */
        String event() {
            return Naming.PRODUCTS.get(product()) + " · " + change.eventTitle() + " · "
                    + (change.eventStart() == null ? "" : change.eventStart().substring(0, 10));
        }

        Naming.Event named() {
            return new Naming.Event(product(), key(), change.eventTitle(), change.eventStart());
        }

        SegmentKey segmentKey(String state) {
            return new SegmentKey(product(), key(), state);
        }
    }

    /** A managed segment: the one of this event and state, whatever its name. */
    private record SegmentKey(String product, String event, String state) {
    }

    /** A managed segment's id in Mautic and the name it has there. */
    private record KnownSegment(long id, String name) {
    }

    /** One person in one event (e-mails are lower-cased in the changes). */
    private record PersonEvent(String email, String product, String key) {
    }

    /**
     * A person in an event as the push leaves them: the registration as it stands now, whatever the batch's
     * changes said on the way, so Mautic shows GoTo's state after any batching, retry or crash. Facts that stay
     * (attended) stay because the state keeps them.
     *
     * @param last         the batch's last change for them: the event as named now
     * @param registration the registration row, or null for a change without one
     * @param inSegments   the managed segments (state labels) that may hold the contact
     */
    private record Standing(Item last, Long registration, RegistrationState state, Set<String> inSegments) {
        /** The states the person is in: {@code registered} holds everyone registered and not cancelled. */
        Set<String> states() {
            Set<String> s = new TreeSet<>();
            if (REGISTRATION_PRODUCTS.contains(last.product()) && state != RegistrationState.CANCELLED) {
                s.add(RegistrationState.REGISTERED.label());
            }
            s.add(state.label());
            return s;
        }

        /** The managed segments of the state: those of {@link #states()} that bridge.mautic.segment-states lists. */
        Set<String> segments(Naming naming) {
            Set<String> s = new TreeSet<>(states());
            s.removeIf(state -> !naming.segmented(state));
            return s;
        }

        /** The tags of the state, and the removal ({@code -tag}) of the event's other managed tags. */
        List<String> tags(java.util.function.BiFunction<Item, String, String> tag) {
            List<String> tags = new ArrayList<>();
            Set<String> wanted = states();
            for (RegistrationState s : REGISTRATION_PRODUCTS.contains(last.product()) ? RegistrationState.values()
                    : new RegistrationState[] {RegistrationState.ATTENDED}) {
                tags.add((wanted.contains(s.label()) ? "" : "-") + tag.apply(last, s.label()));
            }
            return tags;
        }
    }

    private final MauticClient client;
    private final Naming naming;
    private final ContactMapping mapping;
    private final Meters meters;
    private final Outbox outbox;
    private final LinkEmails emails;
    private final DataSource dataSource;
    private final int batch;
    private final boolean utm;
    private final boolean notes;
    private final Map<SegmentKey, KnownSegment> segments = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong created = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong updated = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong segmentChanges = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean fieldsReady;
    /**
     * The stored segments have the template's names for every event changed up to this (null: not yet since start,
     * when the template may have changed).
     */
    private java.sql.Timestamp namesCheckedUpTo;
    private final PartStates parts;
    /** Until when the whole queue waits: a setting holds it, or Mautic is down. */
    private volatile java.time.Instant pausedUntil = java.time.Instant.MIN;
    /** Drains in a row that found Mautic down, for the pause's backoff. */
    private int outages;
    /**
     * Mautic's segments by name, listed once on the first unknown name and kept up to date with the ones this
     * process creates; names found here are stored, so a restart does not list again until a new name comes.
     */
    private Map<String, Long> listing;

    /**
     * @param naming  the managed segments' and tags' names ({@code bridge.mautic.segment-name}, {@code bridge.mautic.tag})
     * @param mapping more contact fields from each change ({@code bridge.mautic.map.*})
     */
    public MauticPush(MauticClient client, Outbox outbox, DataSource dataSource, PartStates parts, int batch, boolean utm,
                      boolean notes, Naming naming, ContactMapping mapping, Meters meters) {
        this.client = client;
        this.naming = naming;
        this.mapping = mapping;
        this.meters = meters;
        this.parts = parts;
        this.outbox = outbox;
        this.emails = new LinkEmails(client, outbox);
        this.dataSource = dataSource;
        this.batch = batch;
        this.utm = utm;
        this.notes = notes;
    }

    /** Contacts created and updated and segment memberships changed since start, e.g. for a summary. */
    public String stats() {
        return created + " contacts created, " + updated + " updated, " + segmentChanges + " segment changes";
    }

    /**
     * Pushes the oldest due changes; returns how many left the queue (0: none due, or Mautic failed). While a setting
     * holds the queue, Mautic is asked again every {@link #HELD_RETRY}, so the push resumes soon after the fix.
     */
    public int drain() throws Exception {
        if (paused()) {
            return 0;
        }
        try {
            ensureNames();
            return outbox.drain(batch, this::push);
        } catch (SettingsException e) {
            // a name template the data of an event defeats, at a rename or at a push
            hold(e);
            return 0;
        } catch (MauticException e) {
            // from a rename (the push itself handles its calls' failures)
            if (e.fix().isPresent()) {
                hold(e);
            } else {
                outage(e, 0);
            }
            return 0;
        }
    }

    private boolean paused() {
        return java.time.Instant.now().isBefore(pausedUntil);
    }

    /**
     * Rows in order: each run of registration changes is pushed as one batch, each link email on its own after the
     * changes queued before it (so the contact has its join URL when the email goes). A row that must wait holds back
     * the later rows of its person and event only; the drain stops when the whole queue must wait.
     */
    private int push(List<Outbox.Row> rows) throws SQLException {
        Waits waits = new Waits();
        int done = 0;
        int from = 0;
        while (from < rows.size() && !paused()) {
            if (rows.get(from).kind().equals(LinkEmails.KIND)) {
                Outbox.Row email = rows.get(from++);
                if (waits.holdBack(email)) {
                    continue;
                }
                try {
                    emails.send(email);
                    waits.succeeded();
                    done++;
                } catch (MauticException e) {
                    if (e.fix().isPresent()) {
                        hold(e);
                    } else if (waits.failed(email, e)) {
                        outage(e, rows.size() - done);
                    }
                }
                continue;
            }
            int to = from;
            while (to < rows.size() && !rows.get(to).kind().equals(LinkEmails.KIND)) {
                to++;
            }
            List<Outbox.Row> run = rows.subList(from, to).stream().filter(r -> !waits.holdBack(r)).toList();
            done += run.isEmpty() ? 0 : changes(run, waits);
            from = to;
        }
        if (!paused()) {
            // Mautic answered to the end: failures too few for a streak are the changes' own
            waits.succeeded();
        }
        return done + waits.dead;
    }

    /**
     * The rows that wait in one drain. A change whose own call failed is not counted at once: only a later call that
     * succeeds shows that Mautic is up and the failure was the change's; a streak of failures is Mautic's.
     */
    private final class Waits {
        private final List<Outbox.Row> waiting = new ArrayList<>();
        private final List<Map.Entry<Outbox.Row, MauticException>> streak = new ArrayList<>();
        /** Rows that left the queue as dead letters after their last attempt. */
        private int dead;

        /** Whether the row waits: it failed in this drain, or an earlier row of its person and event did. */
        boolean holdBack(Outbox.Row row) {
            return waiting.stream().anyMatch(w -> w.holdsBack(row));
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
                    dead++;
                    LOG.warn("Outbox row {} is a dead letter after {} attempts ('replay' once mended): {}", f.getKey().id(),
                            io.gotomautic.bridge.store.Queue.MAX_ATTEMPTS, EmailAddress.masked(e.getMessage()));
                } else {
                    LOG.warn("Outbox row {} waits for a retry, with the later changes of its person: {}", f.getKey().id(),
                            EmailAddress.masked(e.getMessage()));
                }
            }
            streak.clear();
        }
    }

    private int changes(List<Outbox.Row> rows, Waits waits) throws SQLException {
        List<Item> changes = new ArrayList<>();
        for (Outbox.Row row : rows) {
            changes.add(new Item(row, read(row.payload())));
        }
        Set<Long> finished = new HashSet<>();
        try {
            ensureFields();
            Collection<Standing> standings = standings(changes);
            Map<String, Long> ids = contacts(changes, standings, finished);
            List<Item> pushed = changes.stream().filter(c -> !finished.contains(c.row().id())).toList();
            List<Standing> landed = standings.stream().filter(st -> ids.containsKey(st.last().email())).toList();
            segments(landed, ids);
            pushedSegments(landed, ids);
            succeeded();
            if (!utm && !notes) {
                outbox.delivered(pushed.stream().map(c -> c.row().id()).toList());
                pushed.forEach(c -> meters.pushed(c.change()));
                return changes.size();
            }
            for (Item c : pushed) {
                if (waits.holdBack(c.row())) {
                    continue;
                }
                try {
                    detail(c, ids.get(c.email()));
                } catch (MauticException e) {
                    if (!e.isTransient() || e.fix().isPresent()) {
                        throw e;
                    }
                    if (waits.failed(c.row(), e)) {
                        outage(e, changes.size() - finished.size());
                        return finished.size();
                    }
                    continue;
                }
                waits.succeeded();
                outbox.delivered(List.of(c.row().id()));
                meters.pushed(c.change());
                finished.add(c.row().id());
            }
            return finished.size();
        } catch (MauticException e) {
            List<Item> left = changes.stream().filter(c -> !finished.contains(c.row().id()) && !waits.holdBack(c.row())).toList();
            if (e.fix().isPresent()) {
                hold(e);
                return finished.size();
            }
            if (!e.isTransient()) {
                succeeded();
                return finished.size() + refused(left, e, waits);
            }
            outage(e, changes.size() - finished.size());
            return finished.size();
        }
    }

    /** Mautic answered a batch: the queue goes on, and an outage's backoff starts afresh next time. */
    private void succeeded() {
        parts.succeeded(PartStates.MAUTIC);
        outages = 0;
    }

    /**
     * Mautic as a whole failed (down, or every call failing): the rows stay as they are, no attempt counted, and the
     * whole queue waits 2 s, doubling up to a minute, and at least as long as Mautic asked (Retry-After).
     */
    private void outage(MauticException e, int left) {
        parts.failing(PartStates.MAUTIC, e.getMessage());
        outages++;
        java.time.Duration pause = java.time.Duration.ofSeconds(2L << Math.min(5, outages - 1));
        if (pause.compareTo(LONGEST_OUTAGE_PAUSE) > 0) {
            pause = LONGEST_OUTAGE_PAUSE;
        }
        if (e.retryAfter().isPresent() && e.retryAfter().get().compareTo(pause) > 0) {
            pause = e.retryAfter().get();
        }
        pausedUntil = java.time.Instant.now().plus(pause);
        LOG.warn("Push to Mautic paused for {} s, {} change(s) stay queued: {}", pause.toSeconds(), left,
                EmailAddress.masked(e.getMessage()));
    }

    /** Each person in each event of the batch, as their registration stands now. */
    private Collection<Standing> standings(List<Item> changes) throws SQLException {
        Map<PersonEvent, Item> last = new LinkedHashMap<>();
        for (Item c : changes) {
            last.put(new PersonEvent(c.email(), c.product(), c.key()), c);
        }
        Map<Long, Standing> rows = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT id, state, mautic_segments FROM registration WHERE id = ANY (?)")) {
            st.setArray(1, c.createArrayOf("bigint", last.values().stream().map(ch -> ch.row().registrationId())
                    .filter(Objects::nonNull).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), new Standing(null, rs.getLong(1), RegistrationState.of(rs.getString(2)),
                            Set.of((String[]) rs.getArray(3).getArray())));
                }
            }
        }
        List<Standing> standings = new ArrayList<>();
        for (Item c : last.values()) {
            Standing row = rows.get(c.row().registrationId());
            standings.add(row == null ? new Standing(c, null, c.state(), Set.of())
                    : new Standing(c, row.registration(), row.state(), row.inSegments()));
        }
        return standings;
    }

    /**
     * A name template fails on an event's data (bridge.mautic.segment-name, bridge.mautic.tag): a setting to mend, so
     * the queue holds as for any other setting.
     */
    private void hold(SettingsException e) {
        parts.held(PartStates.MAUTIC, "mend " + e.key() + " in application.properties", e.getMessage());
        pausedUntil = java.time.Instant.now().plus(HELD_RETRY);
    }

    /** A setting, not a change, is wrong: every change stays as it is (no attempt counted) until it is fixed. */
    private void hold(MauticException e) {
        parts.held(PartStates.MAUTIC, e.fix().orElseThrow(), e.getMessage());
        pausedUntil = java.time.Instant.now().plus(HELD_RETRY);
    }

    /**
     * Mautic refused a change for a reason no retry mends (a managed segment unpublished by hand, a value it rejects).
     * A batch call does not say which change it was: alone, the change is a dead letter with the reason (replayed once
     * it is mended); of several, each is pushed on its own, so that only the refused ones become dead letters.
     */
    private int refused(List<Item> left, MauticException e, Waits waits) throws SQLException {
        if (left.isEmpty()) {
            return 0;
        }
        if (left.size() == 1) {
            outbox.dead(left.get(0).row(), "Mautic refused the push: " + e.getMessage());
            LOG.warn("Mautic refused a change; it is a dead letter ('replay' once mended): {}", EmailAddress.masked(e.getMessage()));
            return 1;
        }
        int done = 0;
        for (Item c : left) {
            if (!waits.holdBack(c.row())) {
                done += changes(List.of(c.row()), waits);
            }
            if (paused()) {
                return done;
            }
        }
        return done;
    }

    /** One upsert item per person; items Mautic refuses become dead letters. Returns email → contact id. */
    private Map<String, Long> contacts(List<Item> changes, Collection<Standing> standings, Set<Long> finished)
            throws SQLException {
        Map<String, Map<String, Object>> items = new LinkedHashMap<>();
        Map<String, Set<String>> tags = new LinkedHashMap<>();
        // a person's changes, found once: a batch holds thousands
        Map<String, List<Item>> byEmail = new HashMap<>();
        for (Item c : changes) {
            byEmail.computeIfAbsent(c.email(), e -> new ArrayList<>()).add(c);
            Map<String, Object> item = items.computeIfAbsent(c.email(), e -> new LinkedHashMap<>(Map.of("email", e)));
            item.putAll(mapping.values(c.change()));
            item.put("goto_last_event", c.event());
            if (c.change().joinUrl() != null) {
                item.put("goto_join_url", c.change().joinUrl());
            }
            if (c.change().registrantKey() != null) {
                item.put("goto_registrant_key", c.change().registrantKey());
            }
            if (c.state() == RegistrationState.ATTENDED) {
                item.put("goto_attended_minutes", c.change().minutes());
            }
        }
        // an event's tags are named once per batch, not once per person
        Map<SegmentKey, String> named = new HashMap<>();
        java.util.function.BiFunction<Item, String, String> tag = (c, state) -> named.computeIfAbsent(c.segmentKey(state),
                k -> naming.tag(c.named(), state));
        for (Standing st : standings) {
            tags.computeIfAbsent(st.last().email(), e -> new LinkedHashSet<>()).addAll(st.tags(tag));
        }
        tags.forEach((email, t) -> items.get(email).put("tags", List.copyOf(t)));
        List<String> emails = List.copyOf(items.keySet());
        List<MauticClient.ContactResult> results = client.upsertContacts(List.copyOf(items.values()));
        Map<String, Long> ids = new HashMap<>();
        List<Map<String, Object>> names = new ArrayList<>();
        for (int i = 0; i < emails.size(); i++) {
            MauticClient.ContactResult r = results.get(i);
            String email = emails.get(i);
            if (r.id() > 0) {
                ids.put(email, r.id());
                (r.status() == 201 ? created : updated).incrementAndGet();
                names(byEmail.get(email), r).ifPresent(names::add);
            } else {
                MauticException failure = r.failure(email);
                if (failure.isTransient() || failure.fix().isPresent()) {
                    throw failure;
                }
                for (Item c : byEmail.get(email)) {
                    outbox.dead(c.row(), failure.getMessage());
                    finished.add(c.row().id());
                }
            }
        }
        if (!names.isEmpty()) {
            client.editContacts(names);
        }
        return ids;
    }

    /** First and last name from GoTo (the person's changes), only where Mautic has none. */
    private static java.util.Optional<Map<String, Object>> names(List<Item> person, MauticClient.ContactResult r) {
        Map<String, Object> edit = new LinkedHashMap<>();
        for (Item c : person) {
            if (r.firstName().isBlank() && c.change().firstName() != null) {
                edit.put("firstname", c.change().firstName());
            }
            if (r.lastName().isBlank() && c.change().lastName() != null) {
                edit.put("lastname", c.change().lastName());
            }
        }
        if (edit.isEmpty()) {
            return java.util.Optional.empty();
        }
        edit.put("id", r.id());
        return java.util.Optional.of(edit);
    }

    /**
     * The managed segments of each person's state: added with one call per segment; memberships that may be left
     * from an earlier state are removed (one call each, Mautic has no batch removal: only where the state moved
     * on). Before any call, the segments that may hold the contact are widened in the database, so a push cut
     * short by a crash is undone by the next one whatever the state is by then.
     */
    private void segments(List<Standing> standings, Map<String, Long> ids) throws SQLException {
        mayHold(standings);
        Map<SegmentKey, Set<Long>> additions = new LinkedHashMap<>();
        // the name each segment should have: of the event as its latest change in the batch names it
        Map<SegmentKey, Item> events = new HashMap<>();
        List<Map.Entry<SegmentKey, Long>> removals = new ArrayList<>();
        for (Standing st : standings) {
            long id = ids.get(st.last().email());
            Set<String> wanted = st.segments(naming);
            for (String state : wanted) {
                additions.computeIfAbsent(st.last().segmentKey(state), s -> new LinkedHashSet<>()).add(id);
                events.put(st.last().segmentKey(state), st.last());
            }
            for (String state : st.inSegments()) {
                if (!wanted.contains(state)) {
                    removals.add(Map.entry(st.last().segmentKey(state), id));
                }
            }
        }
        for (Map.Entry<SegmentKey, Set<Long>> add : additions.entrySet()) {
            Item event = events.get(add.getKey());
            long segment = segmentId(add.getKey(), event);
            stillThere(add.getKey(), () -> client.addToSegment(segment, add.getValue()));
            segmentChanges.addAndGet(add.getValue().size());
        }
        for (Map.Entry<SegmentKey, Long> remove : removals) {
            KnownSegment segment = knownSegment(remove.getKey(), null);
            if (segment != null) {
                stillThere(remove.getKey(), () -> client.removeFromSegment(segment.id(), remove.getValue()));
                segmentChanges.incrementAndGet();
            }
        }
    }

    /**
     * A managed segment deleted in Mautic answers 404: its id is forgotten and the changes wait for the next drain,
     * which creates the segment again.
     */
    private void stillThere(SegmentKey key, Runnable call) throws SQLException {
        try {
            call.run();
        } catch (MauticException e) {
            if (e.status() != 404) {
                throw e;
            }
            String name;
            synchronized (this) {
                KnownSegment gone = segments.remove(key);
                name = gone == null ? key.toString() : gone.name();
                if (listing != null && gone != null) {
                    listing.remove(gone.name());
                }
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                    "DELETE FROM mautic_segment WHERE product = ? AND event_key = ? AND state = ?")) {
                st.setString(1, key.product());
                st.setString(2, key.event());
                st.setString(3, key.state());
                st.executeUpdate();
            }
            throw new MauticException(404, "Mautic has no segment \"" + name + "\" any more (deleted by hand?); it is created again",
                    true, null, e);
        }
    }

    /**
     * The id of the segment of this event and state, named as bridge.mautic.segment-name says for the event as
     * {@code named} shows it: renamed in Mautic when its name differs, taken over when Mautic has one of that name,
     * else created published.
     */
    private synchronized long segmentId(SegmentKey key, Item named) throws SQLException {
        String name = naming.segment(named.named(), key.state());
        KnownSegment known = knownSegment(key, named);
        if (known == null) {
            Long id = listing().get(name);
            if (id == null) {
                id = client.createSegment(name);
                listing.put(name, id);
                LOG.info("Created Mautic segment \"{}\" ({})", name, id);
            }
            known = storeSegment(key, id, name);
        } else if (!known.name().equals(name)) {
            rename(key, known, name);
            known = segments.get(key);
        }
        return known.id();
    }

    private void rename(SegmentKey key, KnownSegment known, String name) throws SQLException {
        stillThere(key, () -> client.renameSegment(known.id(), name));
        LOG.info("Renamed Mautic segment {} from \"{}\" to \"{}\"", known.id(), known.name(), name);
        storeSegment(key, known.id(), name);
        if (listing != null) {
            listing.remove(known.name());
            listing.put(name, known.id());
        }
    }

    /**
     * The segment of this event and state as stored; with {@code named}, one stored before segments were kept by event
     * (by its old name) is taken over. Null when there is none.
     */
    private synchronized KnownSegment knownSegment(SegmentKey key, Item named) throws SQLException {
        KnownSegment known = segments.get(key);
        if (known != null) {
            return known;
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT segment_id, name FROM mautic_segment WHERE product = ? AND event_key = ? AND state = ?")) {
                st.setString(1, key.product());
                st.setString(2, key.event());
                st.setString(3, key.state());
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        known = new KnownSegment(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            if (known == null && named != null) {
                // the name the bridge gave its segments before V19, which is also the default template's
                try (PreparedStatement st = c.prepareStatement("""
                        UPDATE mautic_segment SET product = ?, event_key = ?, state = ?
                        WHERE ctid = (SELECT ctid FROM mautic_segment WHERE name = ? AND product IS NULL LIMIT 1)
                        RETURNING segment_id, name
                        """)) {
                    st.setString(1, key.product());
                    st.setString(2, key.event());
                    st.setString(3, key.state());
                    st.setString(4, named.event() + " · " + key.state());
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next()) {
                            known = new KnownSegment(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
            }
        }
        if (known != null) {
            segments.put(key, known);
        }
        return known;
    }

    /** Mautic's segments by name, listed once, on the first segment the bridge has not stored. */
    private Map<String, Long> listing() {
        if (listing == null) {
            listing = new HashMap<>(client.segmentsByName());
        }
        return listing;
    }

    /**
     * Every stored segment gets the name the template gives its event now: all of them once after start (the
     * template may have changed), then those of events changed since (renamed or moved in GoTo), so Mautic shows a
     * new name without waiting for the event's next registration.
     */
    private synchronized void ensureNames() throws SQLException {
        List<Map.Entry<SegmentKey, String>> wanted = new ArrayList<>();
        java.sql.Timestamp upTo = namesCheckedUpTo;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT s.product, s.event_key, s.state, s.segment_id, s.name, e.title, e.starts_at, e.updated_at
                FROM mautic_segment s JOIN event e ON e.product = s.product AND e.event_key = s.event_key
                WHERE ?::timestamptz IS NULL OR e.updated_at > ?
                """)) {
            st.setTimestamp(1, upTo);
            st.setTimestamp(2, upTo);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (upTo == null || rs.getTimestamp(8).after(upTo)) {
                        upTo = rs.getTimestamp(8);
                    }
                    SegmentKey key = new SegmentKey(rs.getString(1), rs.getString(2), rs.getString(3));
                    String name = naming.segment(new Naming.Event(key.product(), key.event(), rs.getString(6),
                            rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant().toString()), key.state());
                    segments.put(key, new KnownSegment(rs.getLong(4), rs.getString(5)));
                    if (!name.equals(rs.getString(5))) {
                        wanted.add(Map.entry(key, name));
                    }
                }
            }
            if (upTo == null) {
                // no segment yet: events changed from now on are what the next check looks at
                try (PreparedStatement now = c.prepareStatement("SELECT now()"); ResultSet t = now.executeQuery()) {
                    t.next();
                    upTo = t.getTimestamp(1);
                }
            }
        }
        for (Map.Entry<SegmentKey, String> w : wanted) {
            try {
                rename(w.getKey(), segments.get(w.getKey()), w.getValue());
            } catch (MauticException e) {
                if (e.status() != 404) {
                    throw e;
                }
                // deleted in Mautic: created again, under the new name, by the next change of its event
            }
        }
        namesCheckedUpTo = upTo;
    }

    /** The timeline entry's detail (a UTM row) and a note, each at most once even across a crash. */
    private void detail(Item c, long contactId) throws SQLException {
        Map<String, String> row = utmRow(c);
        String note = note(c);
        boolean retry = c.row().detailAttempted();
        outbox.detailAttempted(c.row().id());
        if (utm && !(retry && hasUtm(contactId, row))) {
            client.addUtm(contactId, row);
        }
        if (notes && note != null && !(retry && client.noteTexts(contactId).contains(note))) {
            client.addNote(contactId, note);
        }
    }

    private boolean hasUtm(long contactId, Map<String, String> row) {
        return client.utmRows(contactId).stream().anyMatch(r -> row.get("utm_source").equals(r.path("utmSource").asText())
                && row.get("utm_medium").equals(r.path("utmMedium").asText())
                && row.get("utm_campaign").equals(r.path("utmCampaign").asText())
                && row.get("utm_content").equals(r.path("utmContent").asText()));
    }

    private static Map<String, String> utmRow(Item c) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("utm_source", Naming.PRODUCTS.get(c.product()));
        row.put("utm_medium", c.state().label());
        row.put("utm_campaign", c.change().eventTitle());
        row.put("utm_content", String.valueOf(c.change().minutes()));
        return row;
    }

    /** Where a note says more than the segment: the join URL of a registration, the sessions of an attendance. */
    private static String note(Item c) {
        if (c.state() == RegistrationState.REGISTERED && c.change().joinUrl() != null) {
            return c.event() + ": registered. Join URL: " + c.change().joinUrl();
        }
        if (c.state() == RegistrationState.ATTENDED) {
            StringBuilder sessions = new StringBuilder();
            c.change().secondsBySession().forEach((session, seconds) -> sessions.append(sessions.length() == 0 ? "" : ", ")
                    .append("session ").append(session).append(": ").append((seconds + 59) / 60).append(" min"));
            return c.event() + ": attended " + c.change().minutes() + " min" + (sessions.length() == 0 ? "" : " (" + sessions + ")");
        }
        return null;
    }

    private void ensureFields() {
        if (fieldsReady) {
            return;
        }
        Map<String, MauticClient.Field> existing = client.contactFields();
        FIELDS.forEach((alias, spec) -> {
            if (!existing.containsKey(alias)) {
                client.createContactField(alias, spec[0], spec[1], List.of());
                LOG.info("Created Mautic contact field {}", alias);
            }
        });
        for (String alias : mapping.aliases()) {
            if (!existing.containsKey(alias) && !FIELDS.containsKey(alias)) {
                client.createContactField(alias, alias, "text", List.of());
                LOG.info("Created Mautic contact field {} for bridge.mautic.map.{}", alias, alias);
            }
        }
        fieldsReady = true;
    }

    /** Before the segment calls: the state's segments may hold the contact from now on. */
    private void mayHold(List<Standing> standings) throws SQLException {
        List<Standing> rows = standings.stream().filter(st -> st.registration() != null
                && !st.inSegments().containsAll(st.segments(naming))).toList();
        updateSegments(rows, null, """
                UPDATE registration r SET mautic_segments = ARRAY(
                  SELECT DISTINCT s FROM unnest(r.mautic_segments || string_to_array(d.segments, ',')) s ORDER BY 1)
                FROM unnest(?::text[], ?::bigint[]) AS d (segments, id) WHERE r.id = d.id
                """);
    }

    /** After the segment calls: the contact's id, and exactly the state's segments hold it. */
    private void pushedSegments(List<Standing> standings, Map<String, Long> ids) throws SQLException {
        updateSegments(standings.stream().filter(st -> st.registration() != null).toList(), ids, """
                UPDATE registration r SET mautic_segments = string_to_array(d.segments, ','), mautic_contact_id = d.contact
                FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS d (segments, id, contact)
                WHERE r.id = d.id AND (r.mautic_contact_id, r.mautic_segments)
                  IS DISTINCT FROM (d.contact, string_to_array(d.segments, ','))
                """);
    }

    /** One statement for all rows: the state's segments, the registration, and the contact id when given. */
    private void updateSegments(List<Standing> rows, Map<String, Long> ids, String sql) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("text", rows.stream().map(r -> String.join(",", r.segments(naming))).toArray()));
            st.setArray(2, c.createArrayOf("bigint", rows.stream().map(Standing::registration).toArray()));
            if (ids != null) {
                st.setArray(3, c.createArrayOf("bigint", rows.stream().map(r -> ids.get(r.last().email())).toArray()));
            }
            st.executeUpdate();
        }
    }

    private synchronized KnownSegment storeSegment(SegmentKey key, long id, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO mautic_segment (product, event_key, state, name, segment_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (product, event_key, state) DO UPDATE SET name = EXCLUDED.name, segment_id = EXCLUDED.segment_id
                """)) {
            st.setString(1, key.product());
            st.setString(2, key.event());
            st.setString(3, key.state());
            st.setString(4, name);
            st.setLong(5, id);
            st.executeUpdate();
        }
        KnownSegment known = new KnownSegment(id, name);
        segments.put(key, known);
        return known;
    }

    private static Change read(String payload) {
        try {
            return JSON.readValue(payload, Change.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("outbox payload is not JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String[]> fields() {
        Map<String, String[]> f = new LinkedHashMap<>();
        f.put("goto_last_event", new String[] {"GoTo last event", "text"});
        f.put("goto_join_url", new String[] {"GoTo join URL", "url"});
        f.put("goto_registrant_key", new String[] {"GoTo registrant key", "text"});
        f.put("goto_attended_minutes", new String[] {"GoTo minutes attended", "number"});
        return f;
    }
}
