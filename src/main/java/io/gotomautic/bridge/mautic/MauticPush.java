package io.gotomautic.bridge.mautic;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import javax.sql.DataSource;

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
 * The steps of routes/push.camel.yaml between its Mautic calls: what each call sends, and what its answer or failure
 * means for the queue. One contact upsert per batch of people (fields and tags included), one call per managed
 * segment, then, per change, the timeline detail (a UTM row) and a note where they are switched on. Tags and segments
 * are those of each registration's state at push time, not of the changes on the way. Every call can be repeated
 * without effect, except the detail, which a retry after a crash first looks for. A passing failure of one change's own
 * call (its UTM row, note or email) makes that change wait for its retry, with the later changes of its person and
 * event, while the others go on; a failure of Mautic as a whole (a batch call, or one call after another) holds the
 * whole queue, counting no attempt; a setting Mautic refuses holds it until mended.
 */
public class MauticPush {

    private static final Logger LOG = LoggerFactory.getLogger(MauticPush.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The contact fields campaigns and emails can use, created when missing. */
    private static final Map<String, String[]> FIELDS = bridgeFields();
    /** How often a queue held by a setting (a permission, the credentials) asks Mautic again. */
    static final Duration HELD_RETRY = Duration.ofSeconds(10);
    /** The longest pause of the queue while Mautic is down: it resumes within this of Mautic's return. */
    private static final Duration LONGEST_OUTAGE_PAUSE = Duration.ofMinutes(1);

    private final Naming naming;
    private final Segments segments;
    private final ContactMapping mapping;
    private final Meters meters;
    private final Outbox outbox;
    private final DataSource dataSource;
    private final int batch;
    private final boolean utm;
    private final boolean notes;
    private final PartStates parts;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong updated = new AtomicLong();
    private final AtomicLong segmentChanges = new AtomicLong();
    /** The mapped aliases whose fields Mautic has; null until the first drain has looked. */
    private volatile Set<String> fieldsReadyFor;
    private volatile Set<String> fieldsWanted;
    /** Until when the whole queue waits: a setting holds it, or Mautic is down. */
    private volatile Instant pausedUntil = Instant.MIN;
    /** Drains in a row that found Mautic down, for the pause's backoff. */
    private int outages;

    /**
     * @param naming  the managed segments' and tags' names ({@code bridge.mautic.segment-name}, {@code bridge.mautic.tag})
     * @param mapping more contact fields from each change ({@code bridge.mautic.map.*})
     */
    public MauticPush(Outbox outbox, DataSource dataSource, PartStates parts, int batch, boolean utm, boolean notes,
                      Naming naming, Segments segments, ContactMapping mapping, Meters meters) {
        this.naming = naming;
        this.segments = segments;
        this.mapping = mapping;
        this.meters = meters;
        this.parts = parts;
        this.outbox = outbox;
        this.dataSource = dataSource;
        this.batch = batch;
        this.utm = utm;
        this.notes = notes;
    }

    /** Contacts created and updated and segment memberships changed since start, e.g. for a summary. */
    public String stats() {
        return created + " contacts created, " + updated + " updated, " + segmentChanges + " segment changes";
    }

    // ---- a drain -------------------------------------------------------------------------------------------------

    /**
     * The drainer's lease and the oldest due rows (bridge.push.batch at most). Unclaimed while the queue is paused or
     * another instance drains. While a setting holds the queue, Mautic is asked again every {@link #HELD_RETRY}, so the
     * push resumes soon after the fix.
     */
    public Drain begin() throws SQLException {
        if (paused() || !outbox.claim()) {
            return new Drain(outbox, false, List.of(), this::paused);
        }
        try {
            return new Drain(outbox, true, outbox.due(batch), this::paused);
        } catch (SQLException | RuntimeException e) {
            outbox.release();
            throw e;
        }
    }

    /** Frees the lease; returns how many rows left the queue (0: none due, or Mautic failed). */
    public int end(Drain drain) throws SQLException {
        if (!drain.claimed()) {
            return 0;
        }
        try {
            if (!paused()) {
                // Mautic answered to the end: failures too few for a streak are the changes' own
                drain.succeeded();
            }
        } finally {
            outbox.release();
        }
        return drain.left();
    }

    /** The next part: a batch of registration changes, or the outbox row of one link email. */
    public Object next(Drain drain) throws SQLException {
        List<Outbox.Row> rows = drain.next();
        return rows.get(0).kind().equals(LinkEmails.KIND) ? rows.get(0) : batch(rows);
    }

    /** One change on its own, as its person and event stand now; null when it must wait (or the queue does). */
    public PushBatch single(Drain drain, Outbox.Row row) throws SQLException {
        return drain.paused() || drain.holdsBack(row) ? null : batch(List.of(row));
    }

    /**
     * A failure outside any change (a rename, a name template that an event's data defeats): a setting holds the
     * queue, Mautic down pauses it; anything else (the database) goes to the route's error handling.
     */
    public void drainFailed(Exception failure) throws Exception {
        Optional<SettingsException> setting = cause(failure, SettingsException.class);
        Optional<MauticException> mautic = cause(failure, MauticException.class);
        if (setting.isPresent()) {
            hold(setting.get());
        } else if (mautic.isPresent() && mautic.get().fix().isPresent()) {
            hold(mautic.get());
        } else if (mautic.isPresent()) {
            outage(mautic.get(), -1);
        } else {
            throw failure;
        }
    }

    // ---- a batch of changes ----------------------------------------------------------------------------------------

    /**
     * The contact fields to look for in Mautic: the bridge's and those bridge.mautic.map.* names; none once found,
     * until a reload of the mapping names others.
     */
    public List<Map<String, String>> fields() {
        Set<String> aliases = mapping.aliases();
        if (aliases.equals(fieldsReadyFor)) {
            return List.of();
        }
        fieldsWanted = aliases;
        return wantedFields(aliases);
    }

    /** The contact fields the push fills ({@code alias}, {@code label}, {@code type}): the bridge's, then the mapping's. */
    static List<Map<String, String>> wantedFields(Set<String> mapped) {
        List<Map<String, String>> wanted = new ArrayList<>();
        FIELDS.forEach((alias, spec) -> wanted.add(Map.of("alias", alias, "label", spec[0], "type", spec[1])));
        for (String alias : mapped) {
            if (!FIELDS.containsKey(alias)) {
                wanted.add(Map.of("alias", alias, "label", alias, "type", "text"));
            }
        }
        return wanted;
    }

    public void fieldsReady(List<String> created) {
        created.forEach(alias -> LOG.info("Created Mautic contact field {}", alias));
        fieldsReadyFor = fieldsWanted;
    }

    /**
     * The mapping step: one contact per person, matched by e-mail, with the bridge's goto_* fields, the fields
     * bridge.mautic.map.* takes from the changes, and the tags of the person's state in each event.
     */
    public List<Map<String, Object>> contacts(PushBatch batch) {
        Map<String, Map<String, Object>> items = new LinkedHashMap<>();
        for (PushBatch.Item c : batch.items) {
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
        Map<Segments.Key, String> named = new HashMap<>();
        BiFunction<PushBatch.Item, String, String> tag = (c, state) -> named.computeIfAbsent(c.segment(state),
                k -> naming.tag(c.named(), state));
        Map<String, Set<String>> tags = new LinkedHashMap<>();
        for (PushBatch.Standing st : batch.standings) {
            tags.computeIfAbsent(st.last().email(), e -> new LinkedHashSet<>()).addAll(st.tags(tag));
        }
        tags.forEach((email, t) -> items.get(email).put("tags", List.copyOf(t)));
        return List.copyOf(items.values());
    }

    /**
     * Mautic's answer to the upsert, in the order of {@link #contacts}: each person's contact id; a contact Mautic
     * refuses for good makes the person's changes dead letters. Returns the edits that give contacts GoTo's first and
     * last name, only where Mautic has none.
     */
    public List<Map<String, Object>> upserted(PushBatch batch, List<MauticClient.ContactResult> results) throws SQLException {
        Map<String, List<PushBatch.Item>> byEmail = new LinkedHashMap<>();
        for (PushBatch.Item c : batch.items) {
            byEmail.computeIfAbsent(c.email(), e -> new ArrayList<>()).add(c);
        }
        List<String> emails = List.copyOf(byEmail.keySet());
        List<Map<String, Object>> names = new ArrayList<>();
        for (int i = 0; i < emails.size(); i++) {
            MauticClient.ContactResult r = results.get(i);
            String email = emails.get(i);
            if (r.id() > 0) {
                batch.ids.put(email, r.id());
                (r.status() == 201 ? created : updated).incrementAndGet();
                names(byEmail.get(email), r).ifPresent(names::add);
            } else {
                MauticException failure = r.failure(email);
                if (failure.isTransient() || failure.fix().isPresent()) {
                    throw failure;
                }
                for (PushBatch.Item c : byEmail.get(email)) {
                    outbox.dead(c.row(), failure.getMessage());
                    batch.finished.add(c.row().id());
                }
            }
        }
        return names;
    }

    /**
     * The segment calls of the batch: the managed segments of each person's state get the contact (one call per
     * segment), memberships that may be left from an earlier state go (one call each, Mautic has no batch removal:
     * only where the state moved on). Before any call, the segments that may hold the contact are widened in the
     * database, so a push cut short by a crash is undone by the next one whatever the state is by then.
     */
    public void segments(PushBatch batch) throws SQLException {
        List<PushBatch.Standing> landed = batch.landed();
        mayHold(landed);
        Map<Segments.Key, Set<Long>> additions = new LinkedHashMap<>();
        // the name each segment should have: of the event as its latest change in the batch names it
        Map<Segments.Key, PushBatch.Item> events = new HashMap<>();
        List<Segments.Removal> removals = new ArrayList<>();
        for (PushBatch.Standing st : landed) {
            long id = batch.ids.get(st.last().email());
            Set<String> wanted = st.segments(naming);
            for (String state : wanted) {
                additions.computeIfAbsent(st.last().segment(state), s -> new LinkedHashSet<>()).add(id);
                events.put(st.last().segment(state), st.last());
            }
            for (String state : st.inSegments()) {
                Long segment = wanted.contains(state) ? null : segments.id(st.last().segment(state));
                if (segment != null) {
                    removals.add(new Segments.Removal(st.last().segment(state), segment, id));
                }
            }
        }
        List<Segments.Addition> calls = new ArrayList<>();
        for (Map.Entry<Segments.Key, Set<Long>> add : additions.entrySet()) {
            PushBatch.Item event = events.get(add.getKey());
            calls.add(segments.addition(add.getKey(), event.named(), event.event() + " · " + add.getKey().state(),
                    add.getValue()));
        }
        batch.segmentCalls(calls, removals);
    }

    /**
     * Every call of the batch but the details succeeded: each registration records its contact and segments, and the
     * changes without a detail to add leave the queue. Returns the details to add.
     */
    public void landed(PushBatch batch) throws SQLException {
        pushedSegments(batch.landed(), batch.ids);
        segmentChanges.addAndGet(batch.additions().stream().mapToLong(a -> a.contacts().size()).sum() + batch.removals().size());
        succeeded();
        List<PushBatch.Item> plain = new ArrayList<>();
        List<PushBatch.Item> detailed = new ArrayList<>();
        for (PushBatch.Item c : batch.pending()) {
            ((utm || notes) && !repeatsRegistration(c.change()) ? detailed : plain).add(c);
        }
        outbox.delivered(plain.stream().map(c -> c.row().id()).toList());
        plain.forEach(c -> meters.pushed(c.change()));
        batch.finished.addAll(plain.stream().map(c -> c.row().id()).toList());
        batch.planDetails(detailed.stream().map(c -> new PushBatch.Detail(c, batch.ids.get(c.email()), utm ? utmRow(c) : null,
                notes ? note(c) : null, c.row().detailAttempted())).toList());
    }

    /**
     * A registration the timeline shows already, changed in what it carries (the registrant's detail fetched on a
     * later poll, the key): a second UTM row and note would say again that the person registered.
     */
    private static boolean repeatsRegistration(Change change) {
        return change.type() == Change.Type.REGISTERED && change.previous() == Change.Type.REGISTERED;
    }

    /**
     * Whether the detail goes now (not held back by an earlier failure of its person and event, the queue not paused);
     * its attempt is marked first, so a retry after a crash looks before adding.
     */
    public boolean due(Drain drain, PushBatch.Detail detail) throws SQLException {
        if (drain.paused() || drain.holdsBack(detail.item().row())) {
            return false;
        }
        outbox.detailAttempted(detail.item().row().id());
        return true;
    }

    public void detailed(Drain drain, PushBatch batch, PushBatch.Detail detail) throws SQLException {
        drain.succeeded();
        outbox.delivered(List.of(detail.item().row().id()));
        meters.pushed(detail.item().change());
        batch.finished.add(detail.item().row().id());
    }

    /**
     * A detail's call failed: a passing failure waits for its retry (or, in a streak, says Mautic is down); anything
     * else is the batch's failure.
     */
    public void detailFailed(Drain drain, PushBatch.Detail detail, Exception failure) throws Exception {
        MauticException e = cause(failure, MauticException.class).orElseThrow(() -> failure);
        if (!e.isTransient() || e.fix().isPresent()) {
            throw e;
        }
        if (drain.failed(detail.item().row(), e)) {
            outage(e, drain.unfinished());
        }
    }

    /**
     * The batch failed. A setting holds the queue; Mautic down pauses it; Mautic refusing the batch for a reason no
     * retry mends (a managed segment unpublished by hand, a value it rejects): a batch call does not say which change
     * it was, so alone the change is a dead letter with the reason (replayed once mended), and of several, each is
     * pushed on its own (the rows returned), so that only the refused ones become dead letters.
     */
    public List<Outbox.Row> failed(Drain drain, PushBatch batch, Exception failure) throws Exception {
        drain.left(batch.finished.size());
        List<PushBatch.Item> left = batch.pending().stream().filter(c -> !drain.holdsBack(c.row())).toList();
        Optional<SettingsException> setting = cause(failure, SettingsException.class);
        if (setting.isPresent()) {
            hold(setting.get());
            return List.of();
        }
        MauticException e = cause(failure, MauticException.class).orElseThrow(() -> failure);
        if (e.fix().isPresent()) {
            hold(e);
            return List.of();
        }
        if (e.isTransient()) {
            outage(e, drain.unfinished());
            return List.of();
        }
        succeeded();
        if (left.size() == 1) {
            outbox.dead(left.get(0).row(), "Mautic refused the push: " + e.getMessage());
            drain.left(1);
            LOG.warn("Mautic refused a change; it is a dead letter ('replay' once mended): {}", EmailAddress.masked(e.getMessage()));
            return List.of();
        }
        return left.stream().map(PushBatch.Item::row).toList();
    }

    /** The batch is done: its rows that left the queue count for the drain. */
    public void done(Drain drain, PushBatch batch) {
        drain.left(batch.finished.size());
    }

    // ---- a link email ----------------------------------------------------------------------------------------------

    /** The email left the queue: sent, or a dead letter (not JSON). */
    public void emailDone(Drain drain) throws SQLException {
        drain.succeeded();
        drain.left(1);
    }

    /**
     * The email was not sent: a setting holds the queue; a passing failure waits for its retry (or, in a streak, says
     * Mautic is down); one no retry mends is a dead letter with its reason.
     */
    public void emailFailed(Drain drain, LinkEmails.Email email, Exception failure) throws Exception {
        MauticException e = cause(failure, MauticException.class).orElseThrow(() -> failure);
        if (e.fix().isPresent()) {
            hold(e);
        } else if (e.isTransient()) {
            if (drain.failed(email.row(), e)) {
                outage(e, drain.unfinished());
            }
        } else {
            email.refused(outbox, e);
            drain.left(1);
        }
    }

    // ---- the queue's state -----------------------------------------------------------------------------------------

    private boolean paused() {
        return Instant.now().isBefore(pausedUntil);
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
        Duration pause = Duration.ofSeconds(2L << Math.min(5, outages - 1));
        if (pause.compareTo(LONGEST_OUTAGE_PAUSE) > 0) {
            pause = LONGEST_OUTAGE_PAUSE;
        }
        if (e.retryAfter().isPresent() && e.retryAfter().get().compareTo(pause) > 0) {
            pause = e.retryAfter().get();
        }
        pausedUntil = Instant.now().plus(pause);
        LOG.warn("Push to Mautic paused for {} s{}: {}", pause.toSeconds(),
                left < 0 ? "" : ", " + left + " change(s) stay queued", EmailAddress.masked(e.getMessage()));
    }

    /**
     * A name template fails on an event's data (bridge.mautic.segment-name, bridge.mautic.tag): a setting to mend, so
     * the queue holds as for any other setting.
     */
    private void hold(SettingsException e) {
        parts.held(PartStates.MAUTIC, "mend " + e.key() + " in application.properties", e.getMessage());
        pausedUntil = Instant.now().plus(HELD_RETRY);
    }

    /** A setting, not a change, is wrong: every change stays as it is (no attempt counted) until it is fixed. */
    private void hold(MauticException e) {
        parts.held(PartStates.MAUTIC, e.fix().orElseThrow(), e.getMessage());
        pausedUntil = Instant.now().plus(HELD_RETRY);
    }

    /** The failure itself or its cause: the routes' splits wrap what a step threw. */
    private static <T extends Throwable> Optional<T> cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    // ---- the batch's rows and registrations ------------------------------------------------------------------------

    /** The rows' changes, and each person in each event of them as their registration stands now. */
    private PushBatch batch(List<Outbox.Row> rows) throws SQLException {
        List<PushBatch.Item> items = new ArrayList<>();
        for (Outbox.Row row : rows) {
            items.add(new PushBatch.Item(row, read(row.payload())));
        }
        Map<PushBatch.PersonEvent, PushBatch.Item> last = new LinkedHashMap<>();
        for (PushBatch.Item c : items) {
            last.put(new PushBatch.PersonEvent(c.email(), c.product(), c.change().eventKey()), c);
        }
        Map<Long, PushBatch.Standing> rowsById = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT id, state, mautic_segments FROM registration WHERE id = ANY (?)")) {
            st.setArray(1, c.createArrayOf("bigint", last.values().stream().map(ch -> ch.row().registrationId())
                    .filter(Objects::nonNull).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rowsById.put(rs.getLong(1), new PushBatch.Standing(null, rs.getLong(1),
                            RegistrationState.of(rs.getString(2)), Set.of((String[]) rs.getArray(3).getArray())));
                }
            }
        }
        Collection<PushBatch.Standing> standings = new ArrayList<>();
        for (PushBatch.Item c : last.values()) {
            PushBatch.Standing row = rowsById.get(c.row().registrationId());
            standings.add(row == null ? new PushBatch.Standing(c, null, c.state(), Set.of())
                    : new PushBatch.Standing(c, row.registration(), row.state(), row.inSegments()));
        }
        return new PushBatch(items, standings);
    }

    /** First and last name from GoTo (the person's changes), only where Mautic has none. */
    private static Optional<Map<String, Object>> names(List<PushBatch.Item> person, MauticClient.ContactResult r) {
        Map<String, Object> edit = new LinkedHashMap<>();
        for (PushBatch.Item c : person) {
            if (r.firstName().isBlank() && c.change().firstName() != null) {
                edit.put("firstname", c.change().firstName());
            }
            if (r.lastName().isBlank() && c.change().lastName() != null) {
                edit.put("lastname", c.change().lastName());
            }
        }
        if (edit.isEmpty()) {
            return Optional.empty();
        }
        edit.put("id", r.id());
        return Optional.of(edit);
    }

    /** Before the segment calls: the state's segments may hold the contact from now on. */
    private void mayHold(List<PushBatch.Standing> standings) throws SQLException {
        List<PushBatch.Standing> rows = standings.stream().filter(st -> st.registration() != null
                && !st.inSegments().containsAll(st.segments(naming))).toList();
        updateSegments(rows, null, """
                UPDATE registration r SET mautic_segments = ARRAY(
                  SELECT DISTINCT s FROM unnest(r.mautic_segments || string_to_array(d.segments, ',')) s ORDER BY 1)
                FROM unnest(?::text[], ?::bigint[]) AS d (segments, id) WHERE r.id = d.id
                """);
    }

    /** After the segment calls: the contact's id, and exactly the state's segments hold it. */
    private void pushedSegments(List<PushBatch.Standing> standings, Map<String, Long> ids) throws SQLException {
        updateSegments(standings.stream().filter(st -> st.registration() != null).toList(), ids, """
                UPDATE registration r SET mautic_segments = string_to_array(d.segments, ','), mautic_contact_id = d.contact
                FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS d (segments, id, contact)
                WHERE r.id = d.id AND (r.mautic_contact_id, r.mautic_segments)
                  IS DISTINCT FROM (d.contact, string_to_array(d.segments, ','))
                """);
    }

    /** One statement for all rows: the state's segments, the registration, and the contact id when given. */
    private void updateSegments(List<PushBatch.Standing> rows, Map<String, Long> ids, String sql) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("text", rows.stream().map(r -> String.join(",", r.segments(naming))).toArray()));
            st.setArray(2, c.createArrayOf("bigint", rows.stream().map(PushBatch.Standing::registration).toArray()));
            if (ids != null) {
                st.setArray(3, c.createArrayOf("bigint", rows.stream().map(r -> ids.get(r.last().email())).toArray()));
            }
            st.executeUpdate();
        }
    }

    private static Map<String, String> utmRow(PushBatch.Item c) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("utm_source", Naming.PRODUCTS.get(c.product()));
        row.put("utm_medium", c.state().label());
        row.put("utm_campaign", c.change().eventTitle());
        row.put("utm_content", String.valueOf(c.change().minutes()));
        return row;
    }

    /** Where a note says more than the segment: the join URL of a registration, the sessions of an attendance. */
    private static String note(PushBatch.Item c) {
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

    private static Change read(String payload) {
        try {
            return JSON.readValue(payload, Change.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("outbox payload is not JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String[]> bridgeFields() {
        Map<String, String[]> f = new LinkedHashMap<>();
        f.put("goto_last_event", new String[] {"GoTo last event", "text"});
        f.put("goto_join_url", new String[] {"GoTo join URL", "url"});
        f.put("goto_registrant_key", new String[] {"GoTo registrant key", "text"});
        f.put("goto_attended_minutes", new String[] {"GoTo minutes attended", "number"});
        return f;
    }
}
