package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.GoToSimulatorTest.Api;
import io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/** GoToWebinar v2 as the contract describes it: webinars, registrants, sessions and attendees. */
class GoToWebinarApiTest {

    private static final long NEGATIVE_KEY = -9_123_456_789_012_345_678L;

    private Api api;
    private GoToWebinars webinars;
    private Instant now;

    @BeforeEach
    void start() {
        api = new Api();
        webinars = api.state().webinars();
        now = api.state().now();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Webinar webinarInDays(String subject, int days) {
        return webinars.add(GoToWebinars.webinar(subject).times(slot(days)));
    }

    private TimeRange slot(int days) {
        return TimeRange.of(now.plus(Duration.ofDays(days)), Duration.ofHours(1));
    }

    private String webinar(Webinar w, String rest) {
        return api.g2w("/webinars/" + w.key() + rest);
    }

    @Test
    void webinarsArePagedInTheEmbeddedEnvelope() {
        for (int i = 0; i < 45; i++) {
            webinarInDays("Webinar " + i, 1 + i % 5);
        }
        webinarInDays("Too late", 30);
        webinars.cancel(webinarInDays("Cancelled", 2).key());

        JsonNode first = api.get(api.webinarsBetween(0, 10)).json();
        JsonNode last = api.get(api.webinarsBetween(0, 10) + "&page=2").json();

        assertThat(first.path("_embedded").path("webinars")).hasSize(20);
        assertThat(first.path("page").path("size").asInt()).isEqualTo(20);
        assertThat(first.path("page").path("totalElements").asInt()).isEqualTo(45);
        assertThat(first.path("page").path("totalPages").asInt()).isEqualTo(3);
        assertThat(first.path("page").path("number").asInt()).isZero();
        assertThat(last.path("_embedded").path("webinars")).hasSize(5);
        assertThat(last.path("page").path("number").asInt()).isEqualTo(2);
        List<String> subjects = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            api.get(api.webinarsBetween(0, 10) + "&page=" + page).json().path("_embedded").path("webinars")
                    .forEach(w -> subjects.add(w.path("subject").asText()));
        }
        assertThat(subjects).hasSize(45).doesNotHaveDuplicates().doesNotContain("Too late", "Cancelled");
    }

    @Test
    void pageSizeIsCappedAt200() {
        for (int i = 0; i < 205; i++) {
            webinarInDays("Webinar " + i, 1);
        }
        JsonNode page = api.get(api.webinarsBetween(0, 2) + "&size=500").json();
        assertThat(page.path("_embedded").path("webinars")).hasSize(200);
        assertThat(page.path("page").path("size").asInt()).isEqualTo(200);
        assertThat(page.path("page").path("totalPages").asInt()).isEqualTo(2);
    }

    @Test
    void theAccountListShowsTheSameWebinars() {
        webinarInDays("Account-wide", 1);
        String range = api.webinarsBetween(0, 2).replaceFirst(".*\\?", "?");
        JsonNode body = api.get("/G2W/rest/v2/accounts/" + api.state().organizer().accountKey() + "/webinars" + range).json();
        assertThat(body.path("_embedded").path("webinars").get(0).path("subject").asText()).isEqualTo("Account-wide");
        assertThat(api.get("/G2W/rest/v2/accounts/42/webinars" + range).status()).isEqualTo(404);
    }

    @Test
    void theTimeRangeIsRequiredAndMustParse() {
        Api.Reply missing = api.get(api.g2w("/webinars?toTime=2026-01-01T00:00:00Z"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("description").asText()).contains("fromTime");
        assertThat(api.get(api.g2w("/webinars?fromTime=yesterday&toTime=2026-01-01T00:00:00Z")).status()).isEqualTo(400);
        assertThat(api.get(api.g2w("/webinars?fromTime=2026-01-01T00:00:00+01:00&toTime=2026-02-01T00:00:00Z")).status())
                .as("an unencoded + arrives as a space").isEqualTo(400);
        assertThat(api.get(api.g2w("/webinars?fromTime=2026-01-01T00:00:00%2B01:00&toTime=2026-02-01T00:00:00Z")).status())
                .isEqualTo(200);
    }

    @Test
    void anEmptyPageOmitsEmbeddedUnlessSwitched() {
        JsonNode omitted = api.get(api.webinarsBetween(0, 1)).json();
        assertThat(omitted.has("_embedded")).isFalse();
        assertThat(omitted.path("page").path("totalElements").asInt()).isZero();

        api.sim.omitEmptyEmbedded(false);
        assertThat(api.get(api.webinarsBetween(0, 1)).json().path("_embedded").path("webinars").isArray()).isTrue();
    }

    @Test
    void keysAreStringsInTheListAndNumbersInGetOneWithoutLosingDigits() {
        webinars.add(GoToWebinars.webinar("Negative key").key(NEGATIVE_KEY).times(slot(1)));

        Api.Reply list = api.get(api.webinarsBetween(0, 2));
        JsonNode listed = list.json().path("_embedded").path("webinars").get(0);
        assertThat(listed.path("webinarKey").isTextual()).isTrue();
        assertThat(listed.path("webinarKey").asText()).isEqualTo("-9123456789012345678");
        assertThat(listed.path("organizerKey").isTextual()).isTrue();

        Api.Reply one = api.get(api.g2w("/webinars/" + NEGATIVE_KEY));
        assertThat(one.text()).contains("\"webinarKey\":-9123456789012345678");
        assertThat(one.json().path("webinarKey").isIntegralNumber()).isTrue();
        assertThat(one.json().path("webinarKey").asLong()).isEqualTo(NEGATIVE_KEY);
        assertThat(one.json().path("organizerKey").asLong()).isEqualTo(api.organizerKey());
        assertThat(one.json().path("accountKey").isTextual()).isTrue();
    }

    @Test
    void anOrganizerWithANegative19DigitKeyWorksInPathsAndBodies() {
        api.state().useOrganizer(new GoToState.Organizer(NEGATIVE_KEY, -1_000_000_000_000_000_001L,
                "Organizer@Example.com", "Zoë", "Ångström"));
        Webinar w = webinarInDays("Negative organizer", 1);

        assertThat(api.get("/admin/rest/v1/me").json().path("key").asText()).isEqualTo("-9123456789012345678");
        JsonNode listed = api.get(api.webinarsBetween(0, 2)).json().path("_embedded").path("webinars").get(0);
        assertThat(listed.path("organizerKey").asText()).isEqualTo("-9123456789012345678");
        assertThat(listed.path("accountKey").asText()).isEqualTo("-1000000000000000001");
        assertThat(api.get(webinar(w, "")).json().path("organizerName").asText()).isEqualTo("Zoë Ångström");
    }

    @Test
    void getOneHasTheWebinarByKeyShapeAnd404sForUnknownOrCancelled() {
        Webinar w = webinars.add(GoToWebinars.webinar("Series").times(slot(1), slot(8), slot(15)));
        webinars.addRegistrant(w.key(), "Ada", "Lovelace", "ada@example.com");

        JsonNode body = api.get(webinar(w, "")).json();

        assertThat(body.path("type").asText()).isEqualTo("series");
        assertThat(body.path("times")).hasSize(3);
        assertThat(body.path("recurrencePeriod").asText()).isEqualTo("weekly");
        assertThat(body.path("numberOfRegistrants").asInt()).isEqualTo(1);
        for (String field : List.of("webinarID", "subject", "description", "organizerEmail", "organizerName",
                "registrationUrl", "inSession", "impromptu", "timeZone", "registrationLimit", "locale",
                "experienceType", "isPasswordProtected")) {
            assertThat(body.has(field)).as(field).isTrue();
        }
        assertThat(api.get(api.g2w("/webinars/12345")).status()).isEqualTo(404);
        webinars.cancel(w.key());
        assertThat(api.get(webinar(w, "")).status()).isEqualTo(404);
        assertThat(api.get("/G2W/rest/v2/organizers/1/webinars/" + w.key()).status())
                .as("another organizer's key").isEqualTo(403);
    }

    @Test
    void registrantsAreABareArrayUnlessPaged() {
        Webinar w = webinarInDays("Registrants", 3);
        for (int i = 0; i < 7; i++) {
            webinars.addRegistrant(w.key(), "First" + i, "Last" + i, "p" + i + "@example.com");
        }

        JsonNode bare = api.get(webinar(w, "/registrants")).json();
        assertThat(bare.isArray()).isTrue();
        assertThat(bare).hasSize(7);
        JsonNode r = bare.get(0);
        assertThat(r.path("registrantKey").isIntegralNumber()).isTrue();
        assertThat(r.path("status").asText()).isEqualTo("APPROVED");
        for (String field : List.of("firstName", "lastName", "email", "registrationDate", "joinUrl", "timeZone")) {
            assertThat(r.has(field)).as(field).isTrue();
        }

        JsonNode paged = api.get(webinar(w, "/registrants?page=1&limit=5")).json();
        assertThat(paged.path("data")).hasSize(2);
        assertThat(paged.path("total").asInt()).isEqualTo(7);
        assertThat(paged.path("page").asInt()).isEqualTo(1);
        assertThat(paged.path("limit").asInt()).isEqualTo(5);
        assertThat(paged.path("pageSize").asInt()).isEqualTo(2);
        assertThat(api.get(webinar(w, "/registrants?limit=999")).json().path("limit").asInt()).isEqualTo(200);
        assertThat(api.get(webinar(w, "/registrants?size=5")).json().isArray()).as("size means nothing here").isTrue();
    }

    @Test
    void creatingARegistrantAnswers201WithKeyAndJoinUrl() {
        Webinar w = webinarInDays("Create", 3);

        Api.Reply r = api.post(webinar(w, "/registrants?resendConfirmation=false"),
                "{\"firstName\":\"Zoë\",\"lastName\":\"Ångström\",\"email\":\"Zoe@Example.com\",\"organization\":\"ACME\"}");

        assertThat(r.status()).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(body.path("registrantKey").isIntegralNumber()).isTrue();
        assertThat(body.path("joinUrl").asText()).startsWith("https://").contains(String.valueOf(w.key()));
        assertThat(body.path("status").asText()).isEqualTo("APPROVED");
        assertThat(body.path("asset").asBoolean()).isTrue();
        Registrant stored = webinars.registrants(w.key()).get(0);
        assertThat(stored.key()).isEqualTo(body.path("registrantKey").asLong());
        assertThat(stored.lastName()).isEqualTo("Ångström");
        JsonNode detailed = api.get(webinar(w, "/registrants/" + stored.key())).json();
        assertThat(detailed.path("organization").asText()).isEqualTo("ACME");
        assertThat(detailed.path("type").asText()).isEqualTo("REGULAR");
        assertThat(api.post(webinar(w, "/registrants"), "{\"firstName\":\"No\",\"lastName\":\"Mail\"}").status()).isEqualTo(400);
    }

    @Test
    void aManualApprovalWebinarLeavesRegistrantsWaiting() {
        Webinar w = webinars.add(GoToWebinars.webinar("Manual").times(slot(2)).manualApproval());
        JsonNode created = api.post(webinar(w, "/registrants"),
                "{\"firstName\":\"A\",\"lastName\":\"B\",\"email\":\"a@example.com\"}").json();
        assertThat(created.path("status").asText()).isEqualTo("WAITING");
        webinars.setStatus(created.path("registrantKey").asLong(), RegistrantStatus.DENIED);
        assertThat(api.get(webinar(w, "/registrants")).json().get(0).path("status").asText()).isEqualTo("DENIED");
    }

    @Test
    void theSameEmailInAnotherCaseIsA409WithTheExistingRegistrant() {
        Webinar w = webinarInDays("Duplicate", 3);
        Registrant first = webinars.addRegistrant(w.key(), "Łukasz", "Żółć", "lukasz.zolc@example.pl");

        Api.Reply dup = api.post(webinar(w, "/registrants"),
                "{\"firstName\":\"Lukasz\",\"lastName\":\"Zolc\",\"email\":\"Lukasz.ZOLC@Example.PL\"}");

        assertThat(dup.status()).isEqualTo(409);
        JsonNode body = dup.json();
        assertThat(body.path("errorCode").asText()).isEqualTo("DuplicateRegistrant");
        assertThat(body.path("description").asText()).isNotBlank();
        assertThat(body.path("incident").isTextual()).isTrue();
        assertThat(body.path("registrantKey").asLong()).isEqualTo(first.key());
        assertThat(body.path("joinUrl").asText()).isEqualTo(first.joinUrl());
        assertThat(webinars.registrants(w.key())).hasSize(1);

        api.sim.duplicateRegistrantDetails(false);
        JsonNode bare = api.post(webinar(w, "/registrants"),
                "{\"firstName\":\"L\",\"lastName\":\"Z\",\"email\":\"LUKASZ.zolc@example.pl\"}").json();
        assertThat(bare.has("registrantKey")).isFalse();
        assertThat(bare.has("joinUrl")).isFalse();
        assertThat(bare.path("errorCode").asText()).isEqualTo("DuplicateRegistrant");
    }

    @Test
    void aRequiredQuestionMustBeAnswered() {
        Webinar w = webinars.add(GoToWebinars.webinar("Questions").times(slot(3))
                .question("Which company do you work for?", true)
                .question("How did you hear about us?", false, "Newsletter", "LinkedIn"));
        JsonNode fields = api.get(webinar(w, "/registrants/fields")).json();
        JsonNode company = fields.path("questions").get(0);
        JsonNode channel = fields.path("questions").get(1);
        assertThat(company.path("required").asBoolean()).isTrue();
        assertThat(company.path("type").asText()).isEqualTo("shortAnswer");
        assertThat(channel.path("type").asText()).isEqualTo("multipleChoice");
        assertThat(channel.path("answers")).hasSize(2);
        assertThat(fields.path("fields")).anySatisfy(f -> {
            assertThat(f.path("field").asText()).isEqualTo("email");
            assertThat(f.path("required").asBoolean()).isTrue();
        });

        Api.Reply unanswered = api.post(webinar(w, "/registrants"),
                "{\"firstName\":\"A\",\"lastName\":\"B\",\"email\":\"a@example.com\"}");
        assertThat(unanswered.status()).isEqualTo(400);
        assertThat(unanswered.json().path("description").asText()).contains("Which company do you work for?");

        String answered = "{\"firstName\":\"A\",\"lastName\":\"B\",\"email\":\"a@example.com\",\"responses\":["
                + "{\"questionKey\":" + company.path("questionKey").asLong() + ",\"responseText\":\"ACME\"},"
                + "{\"questionKey\":" + channel.path("questionKey").asLong() + ",\"answerKey\":"
                + channel.path("answers").get(1).path("answerKey").asLong() + "}]}";
        Api.Reply ok = api.post(webinar(w, "/registrants"), answered);
        assertThat(ok.status()).isEqualTo(201);
        JsonNode responses = api.get(webinar(w, "/registrants/" + ok.json().path("registrantKey").asLong())).json()
                .path("responses");
        assertThat(responses).hasSize(2);
        assertThat(responses.get(0).path("question").asText()).isEqualTo("Which company do you work for?");
        assertThat(responses.get(0).path("answer").asText()).isEqualTo("ACME");
        assertThat(responses.get(1).path("answer").asText()).isEqualTo("LinkedIn");
    }

    @Test
    void deletingARegistrantAnswers204AndTheyAreGone() {
        Webinar w = webinarInDays("Delete", 3);
        Registrant r = webinars.addRegistrant(w.key(), "Ada", "Lovelace", "ada@example.com");
        Registrant stays = webinars.addRegistrant(w.key(), "Alan", "Turing", "alan@example.com");

        assertThat(api.delete(webinar(w, "/registrants/" + r.key())).status()).isEqualTo(204);

        assertThat(api.get(webinar(w, "/registrants")).json()).hasSize(1);
        assertThat(api.get(webinar(w, "/registrants/" + r.key())).status()).isEqualTo(404);
        assertThat(api.delete(webinar(w, "/registrants/" + r.key())).status()).isEqualTo(404);
        assertThat(api.post(webinar(w, "/registrants"), "{\"firstName\":\"Ada\",\"lastName\":\"L\",\"email\":\"ada@example.com\"}")
                .status()).as("may register again").isEqualTo(201);

        webinars.cancelRegistrant(stays.key());
        assertThat(api.get(webinar(w, "/registrants")).json()).extracting(n -> n.path("email").asText())
                .containsExactly("ada@example.com");
    }

    @Test
    void aRegistrantOfAPastWebinarCannotBeDeleted() {
        Webinar past = webinarInDays("Past", -2);
        Registrant r = webinars.addRegistrant(past.key(), "Ada", "Lovelace", "ada@example.com");
        assertThat(api.delete(webinar(past, "/registrants/" + r.key())).status()).isEqualTo(400);
    }

    @Test
    void sessionsAndAttendeesHaveTheReportingShapes() {
        Webinar w = webinars.add(GoToWebinars.webinar("Series").times(slot(-14), slot(-7), slot(7)));
        Registrant ada = webinars.addRegistrant(w.key(), "Ada", "Lovelace", "ada@example.com");
        Registrant alan = webinars.addRegistrant(w.key(), "Alan", "Turing", "alan@example.com");
        webinars.addRegistrant(w.key(), "No", "Show", "noshow@example.com");
        Session first = webinars.addSession(w.key(), w.times().get(0));
        Session second = webinars.addSession(w.key(), w.times().get(1));
        Instant s = first.time().start();
        webinars.recordAttendance(first.key(), ada.key(),
                new TimeRange(s.plusSeconds(60), s.plusSeconds(1800)), new TimeRange(s.plusSeconds(1900), s.plusSeconds(3000)));
        webinars.recordAttendance(first.key(), alan.key(), new TimeRange(s, s.plusSeconds(600)));
        webinars.recordAttendance(second.key(), ada.key(), second.time());

        JsonNode sessions = api.get(webinar(w, "/sessions")).json();
        assertThat(sessions.path("_embedded").path("sessionInfoResources")).hasSize(2);
        JsonNode info = sessions.path("_embedded").path("sessionInfoResources").get(0);
        assertThat(info.path("sessionKey").asText()).isEqualTo(String.valueOf(first.key()));
        assertThat(info.path("webinarKey").isTextual()).isTrue();
        assertThat(info.path("registrantsAttended").asInt()).isEqualTo(2);
        assertThat(info.path("registrantCount").asInt()).isEqualTo(3);
        for (String field : List.of("webinarName", "startTime", "endTime", "accountKey", "creatingOrganizerKey",
                "creatingOrganizerName", "startingOrganizerKey", "startingOrganizerName", "totalPollCount", "timeZone",
                "experienceType", "webinarID")) {
            assertThat(info.has(field)).as(field).isTrue();
        }
        assertThat(sessions.path("page").path("totalElements").asInt()).isEqualTo(2);

        JsonNode attendees = api.get(webinar(w, "/sessions/" + first.key() + "/attendees")).json();
        assertThat(attendees.isArray()).isTrue();
        assertThat(attendees).hasSize(2);
        JsonNode adaRow = attendees.get(0);
        assertThat(adaRow.path("registrantKey").asLong()).isEqualTo(ada.key());
        assertThat(adaRow.path("sessionKey").asLong()).isEqualTo(first.key());
        assertThat(adaRow.path("attendanceTimeInSeconds").asLong()).isEqualTo(1740 + 1100);
        assertThat(adaRow.path("attendance")).hasSize(2);
        assertThat(adaRow.path("attendance").get(0).path("joinTime").asText()).isEqualTo(GoToWire.time(s.plusSeconds(60)));
        assertThat(api.get(webinar(w, "/sessions/999/attendees")).status()).isEqualTo(404);

        JsonNode all = api.get(webinar(w, "/attendees?size=2")).json();
        assertThat(all.path("_embedded").path("attendeeParticipationResponses")).hasSize(2);
        assertThat(all.path("page").path("totalElements").asInt()).isEqualTo(3);

        String range = "?fromTime=" + GoToWire.time(now.minus(Duration.ofDays(10))) + "&toTime=" + GoToWire.time(now);
        JsonNode organizerSessions = api.get(api.g2w("/sessions" + range)).json();
        assertThat(organizerSessions.path("_embedded").path("sessionInfoResources")).hasSize(1);
        assertThat(organizerSessions.path("_embedded").path("sessionInfoResources").get(0).path("sessionKey").asText())
                .isEqualTo(String.valueOf(second.key()));
        assertThat(api.get(api.g2w("/sessions")).status()).isEqualTo(400);
    }
}
