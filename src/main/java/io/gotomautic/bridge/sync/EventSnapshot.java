package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One GoTo event as GoTo shows it now: its sessions and everyone registered for it or present in it. The
 * reconciler compares this with what the database knows and turns the differences into changes.
 *
 * @param ended true once the last session has ended, when absentees become no-shows
 * @param takenAt when GoTo was asked
 */
public record EventSnapshot(String product, String eventKey, String title, Instant startsAt, Instant endsAt,
                            List<Session> sessions, List<Participant> participants, boolean ended, Instant takenAt) {

    /** A scheduled or held session of the event. */
    public record Session(String key, Instant start, Instant end) {
    }

    /** How GoTo lists a person for the event. */
    public enum Standing {
        /** registered and approved */
        REGISTERED,
        /** registered, waiting for approval: not in Mautic until approved */
        PENDING,
        /** registration cancelled or denied */
        CANCELLED,
        /** present without a registration (meetings, assist sessions) */
        PRESENT
    }

    /**
     * A person, keyed by e-mail (compared lower-cased).
     *
     * @param secondsBySession time in each held session, keyed by session key; absent = not there
     */
    public record Participant(String email, String firstName, String lastName, String registrantKey, String joinUrl,
                              Standing standing, Map<String, Long> secondsBySession) {

        public long totalSeconds() {
            return secondsBySession.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
