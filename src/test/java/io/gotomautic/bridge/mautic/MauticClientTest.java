package io.gotomautic.bridge.mautic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.mautic.MauticClient.ContactResult;
import io.gotomautic.bridge.mautic.MauticClient.Field;
import io.gotomautic.bridge.mautic.MauticClient.Option;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Mautic client against the Mautic simulator over real HTTP. */
class MauticClientTest {

    private static final String PASSWORD = "pw-not-in-messages";
    private static final String SECRET = "secret-not-in-messages";

    static CamelContext camel;
    static HttpTransport http;
    MauticSimulator sim;
    MauticState state;
    MauticClient mautic;

    @BeforeAll
    static void startCamel() {
        camel = new DefaultCamelContext();
        // as application.properties sets it: HttpClient would otherwise retry a 429 or 503 on its own, unseen
        camel.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
        camel.start();
        http = new HttpTransport(camel, "mautic-test", Duration.ofSeconds(5), new io.gotomautic.bridge.ops.Meters());
    }

    @AfterAll
    static void stopCamel() {
        camel.stop();
    }

    @BeforeEach
    void startSimulator() {
        sim = MauticSimulator.start(0, "api", PASSWORD).oauthClient("bridge", SECRET);
        state = sim.state();
        mautic = basic(PASSWORD);
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    private MauticClient basic(String password) {
        return new MauticClient(http, sim.baseUrl() + "/", "basic", "api", password);
    }

    private MauticClient oauth(String secret) {
        return new MauticClient(http, sim.baseUrl(), "oauth2", "bridge", secret);
    }

    private long contact(String email) {
        return state.upsertContact(Map.of("email", email)).id();
    }

    // ---- auth ----

    @Test
    void basicAuthIsServed() {
        long id = contact("ada@example.com");
        assertThat(mautic.findContactIdByEmail("ada@example.com")).hasValue(id);
        assertThat(mautic.calls()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordIsPermanentAtOnceAndNamesTheKeysNotThePassword() {
        MauticClient wrong = basic("wrong-" + PASSWORD);
        MauticException e = catchThrowableOfType(MauticException.class, () -> wrong.createSegment("Attendees"));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("mautic.username", "mautic.password").doesNotContain(PASSWORD);
        assertThat(wrong.calls()).as("no retry with Basic").isEqualTo(1);
        assertThat(state.segments()).isEmpty();
    }

    @Test
    void oauthFetchesOneTokenForManyCallsAndOneMoreAfterItExpires() {
        MauticClient client = oauth(SECRET);
        for (int i = 0; i < 5; i++) {
            client.createSegment("Segment " + i);
        }
        assertThat(sim.calls().count("POST /oauth/v2/token")).isEqualTo(1);

        sim.expireAllTokens();
        assertThat(client.segmentsByName()).hasSize(5);
        assertThat(sim.calls().count("POST /oauth/v2/token")).isEqualTo(2);
        assertThat(sim.calls().count("GET /api/segments")).as("the 401 and the retry").isEqualTo(2);
        assertThat(client.calls()).as("token requests and the retry are counted").isEqualTo(sim.calls().total()).isEqualTo(9);
    }

    @Test
    void aBadOauthClientIsPermanentAndNamesTheKeysNotTheSecret() {
        MauticClient client = oauth("wrong-" + SECRET);
        MauticException e = catchThrowableOfType(MauticException.class, client::segmentsByName);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("invalid_client", "mautic.client-id", "mautic.client-secret").doesNotContain(SECRET);
        assertThat(sim.calls().count("GET /api/segments")).isZero();
    }

    @Test
    void a401ThatPersistsAfterANewTokenIsPermanent() {
        MauticClient client = oauth(SECRET);
        sim.faults().on("^/api/segments").status(401);
        MauticException e = catchThrowableOfType(MauticException.class, client::segmentsByName);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("mautic.client-id and mautic.client-secret");
        assertThat(sim.calls().count("POST /oauth/v2/token")).as("re-fetched once, not more").isEqualTo(2);
        assertThat(sim.calls().count("GET /api/segments")).isEqualTo(2);
    }

    // ---- contacts ----

    @Test
    void upsertsInBatchesOf200AndReturnsIdsInInputOrder() {
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            contacts.add(Map.of("email", "c" + i + "@example.com", "firstname", "C" + i));
        }
        List<ContactResult> results = mautic.upsertContacts(contacts);

        assertThat(sim.calls().count("POST /api/contacts/batch/new")).isEqualTo(3);
        assertThat(results).hasSize(450).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
        assertThat(state.contacts()).hasSize(450);
        for (int i = 0; i < 450; i++) {
            assertThat(results.get(i).id()).isEqualTo(state.contactByEmail("c" + i + "@example.com").orElseThrow().id());
        }
    }

    @Test
    void aFailedItemComesBackInItsPlaceAndTheOthersAreSaved() {
        List<ContactResult> results = mautic.upsertContacts(List.of(
                Map.of("email", "Ann@Example.com", "tags", List.of("webinar", "lead")),
                Map.of("email", "not-an-email"),
                Map.of("email", "ann@example.COM", "tags", List.of("-lead", "attended")),
                Map.of("email", "bob@example.com")));

        long ann = state.contactByEmail("ann@example.com").orElseThrow().id();
        long bob = state.contactByEmail("bob@example.com").orElseThrow().id();
        assertThat(results).containsExactly(new ContactResult(ann, 201, null, "", ""), results.get(1),
                new ContactResult(ann, 200, null, "", ""), new ContactResult(bob, 201, null, "", ""));
        assertThat(results.get(1).id()).isZero();
        assertThat(results.get(1).status()).isEqualTo(400);
        assertThat(results.get(1).error()).contains("valid email");
        assertThat(state.contact(ann).orElseThrow().tags()).containsExactlyInAnyOrder("webinar", "attended");
    }

    @Test
    void aFailedFirstItemIsReadFromAnArrayOfErrors() {
        // only index 0 failed: PHP sends errors as an array and the contacts as an object keyed by index
        List<ContactResult> results = mautic.upsertContacts(List.of(Map.of("email", "bad"), Map.of("email", "good@example.com")));
        assertThat(results.get(0).id()).isZero();
        assertThat(results.get(0).status()).isEqualTo(400);
        assertThat(results.get(0).error()).isNotBlank();
        assertThat(results.get(1)).isEqualTo(new ContactResult(state.contactByEmail("good@example.com").orElseThrow().id(), 201, null, "", ""));
    }

    @Test
    void upsertReportsTheNamesMauticHasAndABatchEditFillsThem() {
        state.upsertContact(Map.of("email", "named@example.com", "firstname", "Ada", "lastname", "Lovelace"));
        List<ContactResult> results = mautic.upsertContacts(List.of(Map.of("email", "named@example.com"),
                Map.of("email", "blank@example.com")));
        assertThat(results.get(0).firstName()).isEqualTo("Ada");
        assertThat(results.get(1).firstName()).isEmpty();

        mautic.editContacts(List.of(Map.of("id", results.get(1).id(), "firstname", "Grace", "lastname", "Hopper")));
        assertThat(state.contact(results.get(1).id()).orElseThrow().toString()).contains("Grace").contains("Hopper");
        assertThat(sim.calls().count("PATCH /api/contacts/batch/edit")).isEqualTo(1);
    }

    @Test
    void readsBackUtmRowsAndNoteTexts() {
        long id = contact("utm@example.com");
        mautic.addUtm(id, Map.of("utm_source", "GoToWebinar", "utm_medium", "attended", "utm_campaign", "Launch"));
        mautic.addNote(id, "attended 30 min");
        assertThat(mautic.utmRows(id)).singleElement().satisfies(row -> {
            assertThat(row.path("utmMedium").asText()).isEqualTo("attended");
            assertThat(row.path("utmCampaign").asText()).isEqualTo("Launch");
        });
        assertThat(mautic.noteTexts(id)).containsExactly("attended 30 min");
    }

    @Test
    void findsAContactByExactEmailOnly() {
        long ann = contact("ann.lee@example.com");
        contact("annxlee@example.com");
        long bob = contact("bob+goto@example.com");

        assertThat(mautic.findContactIdByEmail("ANN.LEE@example.com")).hasValue(ann);
        assertThat(mautic.findContactIdByEmail("bob+goto@example.com")).hasValue(bob);
        assertThat(mautic.findContactIdByEmail("ann_lee@example.com")).as("_ is no wildcard").isEmpty();
        assertThat(mautic.findContactIdByEmail("ann%@example.com")).as("%% is no wildcard").isEmpty();
        assertThat(mautic.findContactIdByEmail("nobody@example.com")).isEmpty();
    }

    // ---- segments ----

    @Test
    void segmentsAreReadAcrossPagesAndCreatedPublished() {
        for (int i = 0; i < 230; i++) {
            state.addSegment("Webinar " + i, null, null, i % 7 != 0);
        }
        long created = mautic.createSegment("Attended: Spring Launch");
        assertThat(state.segment(created).orElseThrow().published()).isTrue();
        assertThat(state.segment(created).orElseThrow().name()).isEqualTo("Attended: Spring Launch");

        Map<String, Long> byName = mautic.segmentsByName();
        assertThat(byName).hasSize(231).containsEntry("Attended: Spring Launch", created)
                .containsEntry("Webinar 0", state.segmentByName("Webinar 0").orElseThrow().id())
                .containsEntry("Webinar 229", state.segmentByName("Webinar 229").orElseThrow().id());
        assertThat(sim.calls().count("GET /api/segments")).isEqualTo(3);
    }

    @Test
    void addsContactsToASegmentTwoThousandPerCallAndRemovesOne() {
        long segment = mautic.createSegment("Registered");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 2449; i++) {
            ids.add(contact("s" + i + "@example.com"));
        }
        ids.add(999_999L);

        Map<Long, Boolean> added = mautic.addToSegment(segment, ids);
        assertThat(sim.calls().count("POST /api/segments/{id}/contacts/add")).isEqualTo(2);
        assertThat(added.keySet()).containsExactlyElementsOf(ids);
        assertThat(added).containsEntry(999_999L, false).containsEntry(ids.get(0), true).containsEntry(ids.get(2448), true);
        assertThat(added.values().stream().filter(b -> b)).hasSize(2449);
        assertThat(state.segmentMembers(segment)).hasSize(2449).containsAll(ids.subList(0, 2449));

        mautic.removeFromSegment(segment, ids.get(0));
        assertThat(state.segmentMembers(segment)).hasSize(2448).doesNotContain(ids.get(0));
    }

    @Test
    void addingToAnUnpublishedSegmentIsPermanent403() {
        long hidden = state.addSegment("Hidden", null, null, false).id();
        long id = contact("h@example.com");
        MauticException e = catchThrowableOfType(MauticException.class, () -> mautic.addToSegment(hidden, List.of(id)));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.fix()).as("the segment's refusal, not a setting").isEmpty();
        assertThat(state.segmentMembers(hidden)).isEmpty();
    }

    @Test
    void aPermissionTheApiUserLacksTheApiSwitchAndWrongCredentialsAreSettingsWithTheLineToFixThem() {
        sim.permission("POST", "/api/fields/contact/new", false);
        MauticException noPermission = catchThrowableOfType(MauticException.class,
                () -> mautic.createContactField("goto_x", "X", "text", List.of()));
        assertThat(noPermission.status()).isEqualTo(403);
        assertThat(noPermission.fix()).hasValue("Mautic refuses to create contact fields (403): give the API user's role the "
                + "permission Contacts › Custom Fields: Full (Mautic's Settings › Roles)");
        // the role lacks that one permission only
        assertThat(mautic.contactFields()).isNotEmpty();
        sim.permission("POST", "/api/fields/contact/new", true);
        assertThat(mautic.createContactField("goto_x", "X", "text", List.of()).alias()).isEqualTo("goto_x");

        // a batch refuses item by item: without the permission to create contacts, each item is a 403, and a setting
        sim.permission("POST", "/api/contacts/batch/new", false);
        ContactResult refused = mautic.upsertContacts(List.of(Map.of("email", "p@example.com"))).get(0);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.failure("p@example.com").fix()).hasValueSatisfying(f -> assertThat(f)
                .startsWith("Mautic refuses to create or edit contacts (403)"));
        assertThat(refused.failure("p@example.com").getMessage()).doesNotContain("p@example.com");

        assertThat(catchThrowableOfType(MauticException.class, () -> basic("wrong").contactFields()).fix())
                .hasValue("Mautic refuses the bridge's credentials (401): check mautic.username and mautic.password");
        sim.apiEnabled(false);
        assertThat(catchThrowableOfType(MauticException.class, () -> mautic.contactFields()).fix())
                .hasValueSatisfying(f -> assertThat(f).startsWith("Mautic's API is disabled (403)"));
    }

    // ---- UTM, notes, campaigns, emails ----

    @Test
    void utmRowsAndNotesAreRecorded() {
        long id = contact("u@example.com");
        mautic.addUtm(id, Map.of("utm_campaign", "Spring Launch", "utm_source", "goto", "utm_medium", "webinar"));
        mautic.addNote(id, "Attended Spring Launch for 42 minutes");

        MauticState.UtmRow row = state.utmRows(id).get(0);
        assertThat(row.utmCampaign()).isEqualTo("Spring Launch");
        assertThat(row.utmSource()).isEqualTo("goto");
        assertThat(row.utmMedium()).isEqualTo("webinar");
        assertThat(state.notes(id)).singleElement().satisfies(n -> {
            assertThat(n.text()).isEqualTo("Attended Spring Launch for 42 minutes");
            assertThat(n.type()).isEqualTo("general");
        });
    }

    @Test
    void addsAContactToACampaign() {
        long campaign = state.addCampaign("Follow-up", null, true).id();
        long id = contact("camp@example.com");
        mautic.addToCampaign(campaign, id);
        assertThat(state.campaignMembers(campaign)).containsExactly(id);
    }

    @Test
    void sendsAnEmailWithTokensAndReportsAFailedSend() {
        long email = state.addEmail("Confirmation", "You are in", "<p>{webinar_url}</p>", true).id();
        long id = contact("mail@example.com");

        mautic.sendEmail(email, id, Map.of("webinar_url", "https://example.com/join/1", "{starts}", "15:00 CET"));
        assertThat(state.emailSends()).singleElement().satisfies(s -> {
            assertThat(s.emailId()).isEqualTo(email);
            assertThat(s.contactId()).isEqualTo(id);
            assertThat(s.tokens()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("{webinar_url}", "https://example.com/join/1", "{starts}", "15:00 CET"));
            assertThat(s.success()).isTrue();
        });

        sim.emailSendFailure("mailer down");
        assertThatThrownBy(() -> mautic.sendEmail(email, id, Map.of())).isInstanceOfSatisfying(MauticException.class, e -> {
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).isEqualTo("Mautic did not send email " + email + " to contact " + id + ": mailer down");
        });
        assertThatThrownBy(() -> mautic.sendEmail(email, 999_999, Map.of())).isInstanceOfSatisfying(MauticException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.isTransient()).isFalse();
        });
    }

    // ---- fields ----

    @Test
    void readsCreatesAndChangesContactFields() {
        Map<String, Field> fields = mautic.contactFields();
        assertThat(fields.get("email").type()).isEqualTo("email");
        assertThat(fields).hasSize(state.fields().size());

        List<Option> options = List.of(new Option("Spring Launch", "wb_1"), new Option("Q3 Review", "wb_2"));
        Field select = mautic.createContactField("goto_webinar", "GoTo webinar", "select", options);
        assertThat(select.id()).isPositive();
        assertThat(select.alias()).isEqualTo("goto_webinar");
        assertThat(select.options()).isEqualTo(options);
        Field text = mautic.createContactField("goto_registrant_key", "GoTo registrant key", "text", List.of());
        assertThat(text.type()).isEqualTo("text");
        assertThat(text.options()).isEmpty();

        List<Option> replaced = List.of(new Option("Q3 Review", "wb_2"), new Option("Autumn", "wb_3"));
        mautic.setFieldOptions(select.id(), replaced);
        assertThat(state.field("goto_webinar").orElseThrow().options()).extracting(MauticState.Option::value)
                .containsExactly("wb_2", "wb_3");
        assertThat(mautic.contactFields().get("goto_webinar").options()).isEqualTo(replaced);
    }

    @Test
    void aSelectWithoutOptionsIsRefusedPermanently() {
        MauticException e = catchThrowableOfType(MauticException.class,
                () -> mautic.createContactField("goto_empty", "Empty", "select", List.of()));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.isTransient()).isFalse();
    }

    // ---- failures ----

    @Test
    void a500IsTransientAndNotRetried() {
        long id = contact("f@example.com");
        sim.faults().on("^/api/notes").status(500).times(1);
        MauticException e = catchThrowableOfType(MauticException.class, () -> mautic.addNote(id, "lost for now"));
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.isTransient()).isTrue();
        assertThat(mautic.calls()).isEqualTo(1);
        assertThat(state.notes(id)).isEmpty();
    }

    @Test
    void a429IsTransientAndCarriesRetryAfter() {
        sim.faults().on("^/api/contacts").status(429).retryAfter(7).times(1);
        MauticException e = catchThrowableOfType(MauticException.class,
                () -> mautic.upsertContacts(List.of(Map.of("email", "r@example.com"))));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.isTransient()).isTrue();
        assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(7));
        assertThat(e.getMessage()).contains("7 s");
        assertThat(sim.calls().count("POST /api/contacts/batch/new")).as("no retry").isEqualTo(1);
    }

    @Test
    void a503CarriesRetryAfterGivenAsAnHttpDate() {
        sim.faults().on("^/api/contacts").status(503).retryAfterDate(Duration.ofSeconds(90)).times(1);
        MauticException e = catchThrowableOfType(MauticException.class,
                () -> mautic.upsertContacts(List.of(Map.of("email", "r@example.com"))));
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.isTransient()).isTrue();
        // the date has whole seconds: 89 to 90 s from the answer
        assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(85), Duration.ofSeconds(90)));
    }

    @Test
    void noAnswerWithinTheTimeoutIsTransient() {
        MauticClient impatient = new MauticClient(new HttpTransport(camel, "mautic-impatient", Duration.ofMillis(300), new io.gotomautic.bridge.ops.Meters()),
                sim.baseUrl(), "basic", "api", PASSWORD);
        sim.faults().on("^/api/segments").hang(Duration.ofMillis(1500)).times(1);
        MauticException e = catchThrowableOfType(MauticException.class, impatient::segmentsByName);
        assertThat(e.status()).isZero();
        assertThat(e.isTransient()).isTrue();
    }

    @Test
    void aMalformedBodyIsTransient() {
        mautic.createSegment("Half");
        sim.faults().on("^/api/segments").malformed().times(1);
        MauticException e = catchThrowableOfType(MauticException.class, mautic::segmentsByName);
        assertThat(e.status()).isEqualTo(200);
        assertThat(e.isTransient()).isTrue();
        assertThat(mautic.segmentsByName()).containsOnlyKeys("Half");
    }

    // ---- answers the simulator does not give ----

    @Test
    void errorsInA200AnswerFailTheCallAndAnArrayListIsReadLikeAKeyedOne() throws Exception {
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/api/notes/new", exchange -> answer(exchange,
                "{\"errors\":[{\"code\":404,\"message\":\"Contact not found.\",\"details\":[],\"type\":null}]}"));
        // the old docs' shape: an array instead of an object keyed by id, and a numeric total
        stub.createContext("/api/segments", exchange -> answer(exchange,
                "{\"total\":2,\"lists\":[{\"id\":4,\"name\":\"A\"},{\"id\":9,\"name\":\"B\"}]}"));
        stub.start();
        try {
            MauticClient client = new MauticClient(http, "http://127.0.0.1:" + stub.getAddress().getPort(), "basic", "api", PASSWORD);
            MauticException e = catchThrowableOfType(MauticException.class, () -> client.addNote(1, "hello"));
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("Contact not found.");
            assertThat(client.segmentsByName()).containsExactly(Map.entry("A", 4L), Map.entry("B", 9L));
        } finally {
            stub.stop(0);
        }
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
