package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.Organizer;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/**
 * What happens in a GoToWebinar world that GoTo tells webhooks about, named as GoTo's webhook events are, each
 * with the fields of its own that its webhook body carries (after the contract's samples; keys are JSON numbers
 * there, unlike in most API answers). The world publishes these whether or not anyone listens.
 */
sealed interface GoToWebinarEvent {

    String REGISTRANT_ADDED = "registrant.added";
    String REGISTRANT_JOINED = "registrant.joined";
    String WEBINAR_CREATED = "webinar.created";
    String WEBINAR_CHANGED = "webinar.changed";
    /** Accepted for a webhook as GoTo does, never published: the simulator has no surveys. */
    String SURVEY_SUBMITTED = "survey.submitted";
    List<String> NAMES = List.of(REGISTRANT_ADDED, REGISTRANT_JOINED, WEBINAR_CREATED, WEBINAR_CHANGED, SURVEY_SUBMITTED);

    /** The webhook event name. */
    String name();

    /** Adds the event's own fields to a webhook body; {@code organizer} is the one whose webinar it is. */
    void fields(ObjectNode body, Organizer organizer);

    /** GoTo has no delete event: a cancelled webinar is a change with status DELETED. */
    enum Change { NEW, UPDATED, DELETED }

    /** A webinar created (NEW, as webinar.created) or changed, as it is after the change. */
    record WebinarChanged(Webinar webinar, Change change) implements GoToWebinarEvent {
        @Override
        public String name() {
            return change == Change.NEW ? WEBINAR_CREATED : WEBINAR_CHANGED;
        }

        @Override
        public void fields(ObjectNode body, Organizer organizer) {
            body.put("accountKey", organizer.accountKey()).put("organizerKey", organizer.key())
                    .put("webinarKey", webinar.key()).put("webinarTitle", webinar.subject())
                    .put("description", webinar.description());
            body.set("times", GoToWire.times(webinar.times(), "startTime", "endTime"));
            body.put("timeZone", webinar.timeZone()).put("status", change.name());
        }
    }

    record RegistrantAdded(Webinar webinar, Registrant registrant) implements GoToWebinarEvent {
        @Override
        public String name() {
            return REGISTRANT_ADDED;
        }

        @Override
        public void fields(ObjectNode body, Organizer organizer) {
            Registrant r = registrant;
            body.put("webinarKey", webinar.key()).put("webinarTitle", webinar.subject())
                    .put("webinarCreatorKey", organizer.key()).put("experienceType", "CLASSIC")
                    .put("recurrenceType", webinar.recurrenceType()).put("registrantKey", r.key())
                    .put("firstName", r.firstName()).put("lastName", r.lastName()).put("email", r.email())
                    .put("registrationDate", GoToWire.timeMillis(r.registrationDate())).put("status", r.status().name())
                    .put("joinUrl", r.joinUrl());
            ArrayNode responses = body.putArray("responses");
            r.responses().forEach(resp -> responses.addObject().put("question", webinar.question(resp.questionKey()))
                    .put("answer", resp.answer()));
        }
    }

    /** One join of a registrant to a session. */
    record RegistrantJoined(long webinarKey, long sessionKey, long registrantKey, Instant joinTime)
            implements GoToWebinarEvent {
        @Override
        public String name() {
            return REGISTRANT_JOINED;
        }

        @Override
        public void fields(ObjectNode body, Organizer organizer) {
            body.put("webinarKey", webinarKey).put("sessionKey", sessionKey).put("registrantKey", registrantKey)
                    .put("joinTime", joinTime.toEpochMilli());
        }
    }
}
