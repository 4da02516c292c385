package io.gotomautic.bridge.mautic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.sync.RegistrationState;

/**
 * A run of registration changes pushed to Mautic together, carried from step to step of direct:push-changes: its
 * changes, each person's standing, and what Mautic has answered so far.
 */
public final class PushBatch {

    /** Products people register for; meetings and assist sessions only have attendance. */
    static final Set<String> REGISTRATION_PRODUCTS = Set.of("webinar", "training");

    /** One outbox row, read: the change it carries. */
    record Item(Outbox.Row row, Change change) {
        String email() {
            return change.email();
        }

        String product() {
            return change.product();
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
            return new Naming.Event(product(), change.eventKey(), change.eventTitle(), change.eventStart());
        }

        Segments.Key segment(String state) {
            return new Segments.Key(product(), change.eventKey(), state);
        }
    }

    /** One person in one event (e-mails are lower-cased in the changes). */
    record PersonEvent(String email, String product, String key) {
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
    record Standing(Item last, Long registration, RegistrationState state, Set<String> inSegments) {
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
        List<String> tags(BiFunction<Item, String, String> tag) {
            List<String> tags = new ArrayList<>();
            Set<String> wanted = states();
            for (RegistrationState s : REGISTRATION_PRODUCTS.contains(last.product()) ? RegistrationState.values()
                    : new RegistrationState[] {RegistrationState.ATTENDED}) {
                tags.add((wanted.contains(s.label()) ? "" : "-") + tag.apply(last, s.label()));
            }
            return tags;
        }
    }

    /**
     * A change's timeline detail, once its contact is in Mautic.
     *
     * @param utm   the UTM row, null when bridge.timeline.utm is off
     * @param note  the note, null when bridge.timeline.notes is off or the change has nothing to note
     * @param retry true when an earlier attempt began (a crash, a lost answer): Mautic is looked at first
     */
    public record Detail(Item item, long contactId, Map<String, String> utm, String note, boolean retry) {
    }

    final List<Item> items;
    final Collection<Standing> standings;
    /** Contact ids by e-mail, as Mautic answered the upsert. */
    final Map<String, Long> ids = new HashMap<>();
    /** Rows that left the queue already: dead letters of the upsert, changes pushed with their detail. */
    final Set<Long> finished = new HashSet<>();
    private List<Segments.Addition> additions = List.of();
    private List<Segments.Removal> removals = List.of();
    private List<Detail> details = List.of();

    PushBatch(List<Item> items, Collection<Standing> standings) {
        this.items = items;
        this.standings = standings;
    }

    /** How the push's route tells it from a link email (an outbox row of kind {@code email}). */
    public String kind() {
        return "changes";
    }

    /** The segments to add contacts to, each with its contacts. */
    public List<Segments.Addition> additions() {
        return additions;
    }

    /** Memberships of segments the person's state left. */
    public List<Segments.Removal> removals() {
        return removals;
    }

    /** The timeline details of the changes, in order. */
    public List<Detail> details() {
        return details;
    }

    void segmentCalls(List<Segments.Addition> additions, List<Segments.Removal> removals) {
        this.additions = additions;
        this.removals = removals;
    }

    void planDetails(List<Detail> details) {
        this.details = details;
    }

    /** The people whose contacts Mautic made or updated. */
    List<Standing> landed() {
        return standings.stream().filter(st -> ids.containsKey(st.last().email())).toList();
    }

    /** The changes not yet out of the queue. */
    List<Item> pending() {
        return items.stream().filter(c -> !finished.contains(c.row().id())).toList();
    }
}
