package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.GoToSimulatorTest.Api;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToTrainings.Registrant;
import io.gotomautic.bridge.sandbox.GoToTrainings.Training;

/** GoToTraining, GoToMeeting and GoToAssist as the contract describes them. */
class GoToProductApisTest {

    private Api api;
    private Instant now;

    @BeforeEach
    void start() {
        api = new Api();
        now = api.state().now();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private TimeRange inDays(int days, int hours) {
        return TimeRange.of(now.plus(Duration.ofDays(days)), Duration.ofHours(hours));
    }

    private String g2t(String rest) {
        return "/G2T/rest/organizers/" + api.organizerKey() + rest;
    }

    private String reports(String rest) {
        return "/G2T/rest/reports/organizers/" + api.organizerKey() + rest;
    }

    @Test
    void trainingsAreABareArrayOfScheduledTrainingsWithG2tNames() {
        GoToTrainings trainings = api.state().trainings();
        Training upcoming = trainings.add("Workshop", "Segments", "Europe/London", inDays(3, 2), inDays(4, 2));
        trainings.add("Done", "Over", "UTC", inDays(-5, 2));

        JsonNode list = api.get(g2t("/trainings")).json();

        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(1);
        JsonNode t = list.get(0);
        assertThat(t.path("trainingKey").asText()).isEqualTo(String.valueOf(upcoming.key()));
        assertThat(t.path("trainingKey").isTextual()).isTrue();
        assertThat(t.path("trainingId").asText()).hasSize(9);
        assertThat(t.path("times")).hasSize(2);
        assertThat(t.path("times").get(0).has("startDate")).isTrue();
        assertThat(t.path("times").get(0).has("startTime")).isFalse();
        assertThat(t.path("organizers").get(0).path("givenName").asText()).isEqualTo(api.state().organizer().firstName());
        assertThat(t.path("registrationSettings").has("disableWebRegistration")).isTrue();
        assertThat(api.get(g2t("/trainings/" + upcoming.key())).json().path("name").asText()).isEqualTo("Workshop");
        assertThat(api.get(g2t("/trainings/77")).json().path("errorCode").asText()).isEqualTo("NoSuchTraining");
    }

    @Test
    void trainingRegistrantsAddGetCancelAndDuplicate() {
        Training t = api.state().trainings().add("Workshop", "", "UTC", inDays(3, 2));
        String registrants = g2t("/trainings/" + t.key() + "/registrants");

        Api.Reply created = api.post(registrants, "{\"givenName\":\"山田\",\"surname\":\"太郎\",\"email\":\"Taro@Example.jp\"}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.path("registrantKey").isTextual()).isTrue();
        assertThat(body.path("joinUrl").asText()).startsWith("https://");
        assertThat(body.path("confirmationUrl").asText()).startsWith("https://");
        String key = body.path("registrantKey").asText();

        Api.Reply dup = api.post(registrants, "{\"givenName\":\"T\",\"surname\":\"Y\",\"email\":\"taro@example.JP\"}");
        assertThat(dup.status()).isEqualTo(409);
        JsonNode error = dup.json();
        assertThat(error.path("errorCode").asText()).isEqualTo("DuplicateRegistrant");
        assertThat(error.path("description").asText()).isEqualTo("Registration failed, email address already in use.");
        assertThat(error.path("incident").isIntegralNumber()).isTrue();
        assertThat(error.path("registrantKey").isIntegralNumber()).isTrue();
        assertThat(error.path("registrantKey").asText()).isEqualTo(key);

        JsonNode one = api.get(registrants + "/" + key).json();
        assertThat(one.path("givenName").asText()).isEqualTo("山田");
        assertThat(one.path("status").asText()).isEqualTo("APPROVED");
        assertThat(one.has("firstName")).isFalse();
        assertThat(api.get(registrants).json()).hasSize(1);

        assertThat(api.delete(registrants + "/" + key).status()).isEqualTo(204);
        assertThat(api.get(registrants).json()).isEmpty();
        assertThat(api.get(registrants + "/" + key).status()).isEqualTo(404);
        assertThat(api.post(registrants, "{\"givenName\":\"T\",\"surname\":\"Y\",\"email\":\"taro@example.jp\"}").status())
                .as("may register again after cancelling").isEqualTo(201);
        assertThat(api.post(registrants, "{\"givenName\":\"T\",\"email\":\"x@example.jp\"}").status()).isEqualTo(400);
    }

    @Test
    void reportsListSessionsAndAttendeesWithNoShowsAtTheBottom() {
        GoToTrainings trainings = api.state().trainings();
        Training t = trainings.add("Admin training", "", "UTC", inDays(-3, 3));
        Registrant noShow = trainings.addRegistrant(t.key(), "Alan", "Turing", "alan@example.com");
        Registrant ada = trainings.addRegistrant(t.key(), "Ada", "Lovelace", "ada@example.com");
        Session s = trainings.addSession(t.key(), t.times().get(0));
        Instant start = s.time().start();
        trainings.recordAttendance(s.key(), ada.key(), new TimeRange(start, start.plusSeconds(30 * 60)),
                new TimeRange(start.plusSeconds(40 * 60), start.plusSeconds(65 * 60)));

        JsonNode sessions = api.post(reports("/sessions"), "{\"startDate\":\"" + GoToWire.time(now.minus(Duration.ofDays(7)))
                + "\",\"endDate\":\"" + GoToWire.time(now) + "\"}").json();
        assertThat(sessions).hasSize(1);
        JsonNode session = sessions.get(0);
        assertThat(session.path("sessionKey").asText()).isEqualTo(String.valueOf(s.key()));
        assertThat(session.path("trainingName").asText()).isEqualTo("Admin training");
        assertThat(session.path("attendanceCount").asInt()).isEqualTo(1);
        assertThat(session.path("duration").asInt()).isEqualTo(180);
        assertThat(session.has("sessionStartTime") && session.has("sessionEndTime") && session.has("organizers")).isTrue();
        assertThat(api.post(reports("/sessions"), "{\"startDate\":\"" + GoToWire.time(now) + "\"}").status()).isEqualTo(400);
        assertThat(api.get(reports("/trainings/" + t.key())).json()).hasSize(1);

        JsonNode attendees = api.get(reports("/sessions/" + s.key() + "/attendees")).json();

        assertThat(attendees).extracting(a -> a.path("email").asText()).containsExactly("ada@example.com", "alan@example.com");
        assertThat(attendees.get(0).path("timeInSession").asInt()).isEqualTo(55);
        assertThat(attendees.get(0).path("inSessionTimes")).hasSize(2);
        assertThat(attendees.get(0).path("inSessionTimes").get(1).path("timeInPartOfSession").asInt()).isEqualTo(25);
        assertThat(attendees.get(1).path("givenName").asText()).isEqualTo(noShow.givenName());
        assertThat(attendees.get(1).path("timeInSession").asInt()).isZero();
        assertThat(attendees.get(1).path("inSessionTimes")).isEmpty();
        assertThat(attendees.get(0).has("registrantKey")).isFalse();
    }

    @Test
    void startingATrainingGivesAHostUrl() {
        Training t = api.state().trainings().add("Workshop", "", "UTC", inDays(1, 1));
        assertThat(api.get("/G2T/rest/trainings/" + t.key() + "/start").json().path("hostURL").asText()).startsWith("https://");
        assertThat(api.get("/G2T/rest/trainings/5/start").status()).isEqualTo(404);
    }

    @Test
    void creatingAMeetingAnswersAnArrayOfOneAndRemembersItsLinks() {
        String request = "{\"subject\":\"Kick-off\",\"starttime\":\"" + GoToWire.time(now.plus(Duration.ofDays(1)))
                + "\",\"endtime\":\"" + GoToWire.time(now.plus(Duration.ofDays(1)).plusSeconds(3600))
                + "\",\"passwordrequired\":false,\"conferencecallinfo\":\"VoIP\",\"timezonekey\":\"\",\"meetingtype\":\"scheduled\"}";

        Api.Reply r = api.post("/G2M/rest/meetings", request);

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json()).hasSize(1);
        JsonNode created = r.json().get(0);
        long id = created.path("meetingid").asLong();
        assertThat(created.path("meetingid").isIntegralNumber()).isTrue();
        assertThat(created.path("joinURL").asText()).startsWith("https://").endsWith(String.valueOf(id));
        assertThat(created.path("uniqueMeetingId").asLong()).isEqualTo(id);
        assertThat(created.path("maxParticipants").asInt()).isPositive();
        assertThat(created.path("conferenceCallInfo").asText()).isEqualTo("VoIP");

        List<GoToMeetings.Meeting> viaApi = api.state().meetings().createdViaApi();
        assertThat(viaApi).singleElement().satisfies(m -> {
            assertThat(m.meetingId()).isEqualTo(id);
            assertThat(m.joinUrl()).isEqualTo(created.path("joinURL").asText());
        });
        String hostUrl = api.get("/G2M/rest/meetings/" + id + "/start").json().path("hostURL").asText();
        assertThat(hostUrl).isEqualTo(viaApi.get(0).hostUrl()).startsWith("https://");

        JsonNode one = api.get("/G2M/rest/meetings/" + id).json();
        assertThat(one.isArray()).isTrue();
        assertThat(one.get(0).path("subject").asText()).isEqualTo("Kick-off");
        assertThat(one.get(0).path("duration").asInt()).isEqualTo(60);
        assertThat(api.get("/G2M/rest/meetings/1").status()).isEqualTo(404);

        JsonNode upcoming = api.get("/G2M/rest/upcomingMeetings").json();
        assertThat(upcoming.get(0).path("meetingId").asText()).isEqualTo(String.valueOf(id));
        assertThat(upcoming.get(0).path("meetingId").isTextual()).isTrue();
    }

    @Test
    void meetingCreationWantsTheLowercaseKeys() {
        String camel = "{\"subject\":\"X\",\"startTime\":\"" + GoToWire.time(now) + "\",\"endTime\":\""
                + GoToWire.time(now.plusSeconds(3600)) + "\",\"passwordRequired\":false,\"conferenceCallInfo\":\"VoIP\","
                + "\"timeZoneKey\":\"\",\"meetingType\":\"scheduled\"}";
        Api.Reply r = api.post("/G2M/rest/meetings", camel);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("description").asText()).contains("starttime");
    }

    @Test
    void historicalMeetingsCountAsStringsAndListAttendees() {
        GoToMeetings meetings = api.state().meetings();
        TimeRange past = inDays(-2, 1);
        GoToMeetings.Meeting m = meetings.add("Partner sync", past);
        meetings.addAttendee(m.meetingId(), "Zoë Ångström", "zoe@example.com", past);
        meetings.addAttendee(m.meetingId(), "Łukasz Żółć", "lukasz@example.pl",
                new TimeRange(past.start().plusSeconds(600), past.end()));
        meetings.record(m.meetingId());
        meetings.add("Still running", TimeRange.of(now.minusSeconds(600), Duration.ofHours(1)));

        JsonNode history = api.get("/G2M/rest/historicalMeetings?startDate=" + GoToWire.time(now.minus(Duration.ofDays(7)))
                + "&endDate=" + GoToWire.time(now)).json();

        assertThat(history).hasSize(1);
        JsonNode h = history.get(0);
        assertThat(h.path("duration").isTextual()).isTrue();
        assertThat(h.path("duration").asText()).isEqualTo("60");
        assertThat(h.path("numAttendees").isTextual()).isTrue();
        assertThat(h.path("numAttendees").asText()).isEqualTo("2");
        assertThat(h.path("recording").path("downloadUrl").asText()).startsWith("https://");
        for (String field : List.of("meetingId", "sessionId", "subject", "startTime", "endTime", "organizerKey", "accountKey",
                "email", "firstName", "lastName", "locale", "meetingType", "conferenceCallInfo")) {
            assertThat(h.has(field)).as(field).isTrue();
        }
        assertThat(api.get("/G2M/rest/historicalMeetings?startDate=" + GoToWire.time(now)).status()).isEqualTo(400);

        JsonNode attendees = api.get("/G2M/rest/meetings/" + m.meetingId() + "/attendees").json();
        assertThat(attendees).extracting(a -> a.path("attendeeName").asText()).containsExactly("Zoë Ångström", "Łukasz Żółć");
        assertThat(attendees.get(1).path("attendeeEmail").asText()).isEqualTo("lukasz@example.pl");
        assertThat(attendees.get(1).path("duration").asInt()).isEqualTo(50);
        assertThat(attendees.get(0).path("groupName").asText()).isEqualTo("NA");
    }

    @Test
    void anAssistSessionGivesTheExpertLaunchUrlAndTheCustomerJoinUrl() {
        Api.Reply r = api.post("/G2A/rest/v1/sessions",
                "{\"sessionType\":\"screen_sharing\",\"customerName\":\"Zoë\",\"customerEmail\":\"zoe@example.com\"}");

        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        String token = body.path("sessionToken").asText();
        assertThat(token).isNotBlank();
        assertThat(body.path("startScreenSharing").path("launchUrl").asText()).startsWith("https://").contains(token);
        assertThat(body.path("customerJoinUrl").asText()).startsWith("https://");
        GoToAssistSessions.Session stored = api.state().assistSessions().createdViaApi().get(0);
        assertThat(stored.customerJoinUrl()).isEqualTo(body.path("customerJoinUrl").asText());
        assertThat(stored.request().customerEmail()).isEqualTo("zoe@example.com");

        JsonNode byId = api.get("/G2A/rest/v1/sessions/" + stored.sessionId()).json();
        assertThat(byId.path("status").asText()).isEqualTo("waiting");
        assertThat(byId.path("customerName").asText()).isEqualTo("Zoë");
        assertThat(byId.has("sessionStartToken")).isFalse();
        assertThat(api.get("/G2A/rest/v1/sessions/" + token).json().path("sessionId").asText())
                .isEqualTo(String.valueOf(stored.sessionId()));
        assertThat(api.get("/G2A/rest/v1/sessions/404").status()).isEqualTo(404);
        assertThat(api.post("/G2A/rest/v1/sessions", "{}").status()).isEqualTo(400);

        api.sim.assistCreateReturnsCustomerJoinUrl(false);
        assertThat(api.post("/G2A/rest/v1/sessions", "{\"sessionType\":\"screen_sharing\"}").json().has("customerJoinUrl"))
                .isFalse();
    }

    @Test
    void assistSessionsAreListedByTimeRange() {
        GoToAssistSessions assist = api.state().assistSessions();
        assist.addPast("Zoë", "zoe@example.com", inDays(-2, 1), GoToAssistSessions.Status.COMPLETE, "Fixed SMTP");
        assist.addPast("Old", "old@example.com", inDays(-40, 1), GoToAssistSessions.Status.ABANDONED, null);

        JsonNode body = api.get("/G2A/rest/v1/sessions?sessionType=screen_sharing&fromTime="
                + GoToWire.time(now.minus(Duration.ofDays(7))) + "&toTime=" + GoToWire.time(now)).json();

        assertThat(body.path("totalNumSessions").asInt()).isEqualTo(1);
        JsonNode s = body.path("sessions").get(0);
        assertThat(s.path("status").asText()).isEqualTo("complete");
        assertThat(s.path("notes").asText()).isEqualTo("Fixed SMTP");
        assertThat(s.path("sessionStartToken").asText()).isNotBlank();
        for (String field : List.of("sessionId", "sessionType", "accountKey", "expertName", "expertEmail", "expertUserKey",
                "partnerObject", "partnerObjectUrl", "startedAt", "customerJoinedAt", "endedAt", "customerName",
                "customerEmail", "customerJoinUrl", "sessionRecordingUrl", "collaborators", "unattendedMachineName",
                "unattendedMachineUuid", "accountName")) {
            assertThat(s.has(field)).as(field).isTrue();
        }
        assertThat(api.get("/G2A/rest/v1/sessions?sessionType=screen_sharing").status()).isEqualTo(400);
    }
}
