package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.MauticState.Contact;
import io.gotomautic.bridge.sandbox.MauticState.Option;
import io.gotomautic.bridge.sandbox.MauticTestClient.Answer;

/** The endpoint families of the Mautic simulator against the contract, through real HTTP. */
class MauticApiTest {

    private MauticSimulator sim;
    private MauticState state;
    private MauticTestClient api;

    @BeforeEach
    void start() {
        sim = MauticSimulator.start(0, "api", "pw");
        state = sim.state();
        api = MauticTestClient.basic(sim, "api", "pw");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    // ---- contacts ----

    @Test
    void newContactsUpsertByEmailIgnoringCase() {
        Answer created = api.post("/api/contacts/new", Map.of("email", "Mixed.Case@Example.com", "firstname", "Ann"));
        assertThat(created.status()).isEqualTo(201);
        long id = created.json().path("contact").path("id").asLong();
        assertThat(created.header("Location")).hasValue(sim.baseUrl() + "/api/contacts/" + id);

        Answer merged = api.post("/api/contacts/new", Map.of("email", "mixed.case@example.COM", "lastname", "Lee"));
        assertThat(merged.status()).isEqualTo(200);
        assertThat(merged.json().path("contact").path("id").asLong()).isEqualTo(id);
        JsonNode all = merged.json().path("contact").path("fields").path("all");
        assertThat(all.path("firstname").asText()).isEqualTo("Ann");
        assertThat(all.path("lastname").asText()).isEqualTo("Lee");
        assertThat(state.contacts()).hasSize(1);
        assertThat(state.contactByEmail("MIXED.case@example.com")).map(Contact::id).hasValue(id);
    }

    @Test
    void blanksDoNotOverwriteUnlessAskedAndZerosAreDropped() {
        api.post("/api/contacts/new", Map.of("email", "b@example.com", "firstname", "Bea", "points", 5));
        api.post("/api/contacts/new", Map.of("email", "b@example.com", "firstname", "", "points", 0));
        Contact kept = state.contactByEmail("b@example.com").orElseThrow();
        assertThat(kept.field("firstname")).isEqualTo("Bea");
        assertThat(kept.points()).as("points: 0 never resets").isEqualTo(5);

        api.post("/api/contacts/new", Map.of("email", "b@example.com", "firstname", "", "overwriteWithBlank", true));
        assertThat(state.contactByEmail("b@example.com").orElseThrow().field("firstname")).isNull();
    }

    @Test
    void tagsAreAddedAndRemovedWithAMinus() {
        api.post("/api/contacts/new", Map.of("email", "t@example.com", "tags", List.of("alpha", "beta")));
        Answer a = api.post("/api/contacts/new", Map.of("email", "t@example.com", "tags", "-alpha,gamma"));
        assertThat(state.contactByEmail("t@example.com").orElseThrow().tags()).containsExactlyInAnyOrder("beta", "gamma");
        JsonNode tags = a.json().path("contact").path("tags");
        assertThat(tags).hasSize(2);
        assertThat(tags.path(0).path("id").asLong()).isPositive();
    }

    @Test
    void oneContactHasGroupedFieldsAndTheFlatAll() {
        long id = state.upsertContact(Map.of("email", "g@example.com", "firstname", "Gus")).id();
        JsonNode c = api.get("/api/contacts/" + id).json().path("contact");
        assertThat(c.path("id").asLong()).isEqualTo(id);
        assertThat(c.path("fields").path("core").path("email").path("value").asText()).isEqualTo("g@example.com");
        assertThat(c.path("fields").path("core").path("email").path("id").isTextual()).isTrue();
        assertThat(c.path("fields").path("core").path("firstname").path("normalizedValue").asText()).isEqualTo("Gus");
        assertThat(c.path("fields").path("core").path("lastname").path("value").isNull()).isTrue();
        assertThat(c.path("fields").path("all").path("id").asLong()).isEqualTo(id);
        assertThat(c.path("fields").path("all").path("points").isInt()).isTrue();
        assertThat(c.path("fields").path("personal").isArray()).isTrue();
        assertThat(c.path("dateAdded").asText()).endsWith("+00:00");
        for (String key : List.of("isPublished", "tags", "utmtags", "ipAddresses", "dateIdentified", "doNotContact", "owner")) {
            assertThat(c.has(key)).as(key).isTrue();
        }
    }

    @Test
    void theListIsKeyedByIdWithAStringTotalAndSearchesByEmailOrWhere() {
        long ada = state.upsertContact(Map.of("email", "Ada@Example.com")).id();
        state.upsertContact(Map.of("email", "bob@example.com"));
        state.upsertContact(Map.of("email", "cy@example.com"));

        JsonNode bySearch = api.get("/api/contacts?search=email:ada@example.com").json();
        assertThat(bySearch.path("total").isTextual()).isTrue();
        assertThat(bySearch.path("total").asText()).isEqualTo("1");
        assertThat(bySearch.path("contacts").isObject()).isTrue();
        assertThat(bySearch.path("contacts").path(String.valueOf(ada)).path("id").asLong()).isEqualTo(ada);

        JsonNode byWhere = api.get("/api/contacts?where%5B0%5D%5Bcol%5D=email&where%5B0%5D%5Bexpr%5D=eq"
                + "&where%5B0%5D%5Bval%5D=ADA%40example.com").json();
        assertThat(byWhere.path("contacts").fieldNames()).toIterable().containsExactly(String.valueOf(ada));

        assertThat(api.get("/api/contacts?search=email:nobody@example.com").body())
                .isEqualTo("{\"total\":\"0\",\"contacts\":{}}");

        JsonNode onePage = api.get("/api/contacts?limit=1").json();
        assertThat(onePage.path("total").asText()).isEqualTo("3");
        assertThat(onePage.path("contacts")).hasSize(1);
        assertThat(api.get("/api/contacts?limit=0&start=2").json().path("contacts")).as("limit=0 is all").hasSize(3);
        assertThat(api.get("/api/contacts?start=2&limit=30").json().path("contacts")).hasSize(1);
    }

    @Test
    void editingPatchesAKnownContactAnd404sAnUnknownOne() {
        long id = state.upsertContact(Map.of("email", "e@example.com")).id();
        Answer edited = api.patch("/api/contacts/" + id + "/edit", Map.of("city", "Graz"));
        assertThat(edited.status()).isEqualTo(200);
        assertThat(state.contact(id).orElseThrow().field("city")).isEqualTo("Graz");
        Answer unknown = api.patch("/api/contacts/4242/edit", Map.of("city", "Graz"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error().path("message").asText()).isEqualTo("Item was not found.");
    }

    @Test
    void batchNewReturns201WithPerItemCodesAndIndexKeyedErrors() {
        state.upsertContact(Map.of("email", "old@example.com"));
        Answer a = api.post("/api/contacts/batch/new", List.of(
                Map.of("email", "new@example.com"), Map.of("email", "not-an-email"), Map.of("email", "OLD@example.com")));
        assertThat(a.status()).isEqualTo(201);
        JsonNode body = a.json();
        assertThat(body.path("statusCodes").toString()).isEqualTo("[201,400,200]");
        assertThat(body.path("contacts").isObject()).as("the gap turns the list into an object").isTrue();
        assertThat(body.path("contacts").fieldNames()).toIterable().containsExactly("0", "2");
        JsonNode error = body.path("errors").path("1");
        assertThat(error.path("code").asInt()).isEqualTo(400);
        assertThat(error.path("type").asText()).isEqualTo("api");
        assertThat(error.path("message").asText()).contains("email");
        assertThat(state.contacts()).hasSize(2);

        Answer clean = api.post("/api/contacts/batch/new", List.of(Map.of("email", "x@example.com")));
        assertThat(clean.json().path("contacts").isArray()).isTrue();
        assertThat(clean.json().has("errors")).isFalse();
    }

    @Test
    void batchesAreCappedAt200() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(Map.of("email", "p" + i + "@example.com"));
        }
        assertThat(api.post("/api/contacts/batch/new", items).status()).isEqualTo(201);
        items.add(Map.of("email", "one-too-many@example.com"));
        Answer tooMany = api.post("/api/contacts/batch/new", items);
        assertThat(tooMany.status()).isEqualTo(500);
        assertThat(tooMany.error().path("message").asText()).isEqualTo("A max of 200 entities are supported at a time.");
        assertThat(state.contacts()).hasSize(200);
    }

    @Test
    void batchEditAnswers200WithA404ForAnUnknownId() {
        long id = state.upsertContact(Map.of("email", "be@example.com")).id();
        Answer a = api.patch("/api/contacts/batch/edit", List.of(Map.of("id", id, "firstname", "Bo"), Map.of("id", 9999, "firstname", "X")));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("statusCodes").toString()).isEqualTo("[200,404]");
        assertThat(state.contact(id).orElseThrow().field("firstname")).isEqualTo("Bo");
    }

    // ---- segments ----

    @Test
    void segmentsAreCreatedWithAnAliasAndTakeMembers() {
        long contact = state.upsertContact(Map.of("email", "s@example.com")).id();
        Answer created = api.post("/api/segments/new", Map.of("name", "GoTo Attendees"));
        assertThat(created.status()).isEqualTo(201);
        JsonNode list = created.json().path("list");
        assertThat(list.path("alias").asText()).isEqualTo("goto-attendees");
        long segment = list.path("id").asLong();

        Answer added = api.post("/api/segments/" + segment + "/contact/" + contact + "/add", Map.of());
        assertThat(added.body()).isEqualTo("{\"success\":1}");
        assertThat(state.segmentMembers(segment)).containsExactly(contact);
        JsonNode mine = api.get("/api/contacts/" + contact + "/segments").json();
        assertThat(mine.path("lists").path(String.valueOf(segment)).path("alias").asText()).isEqualTo("goto-attendees");
        assertThat(api.get("/api/segments").json().path("lists").path(String.valueOf(segment)).path("name").asText())
                .isEqualTo("GoTo Attendees");

        assertThat(api.post("/api/segments/" + segment + "/contact/" + contact + "/remove", Map.of()).status()).isEqualTo(200);
        assertThat(state.segmentMembers(segment)).isEmpty();
        assertThat(state.activity(contact)).extracting(MauticState.Activity::event).contains("segment_membership");
    }

    @Test
    void aDeletedSegmentTakesItsMembersWithItAndAnswers404After() {
        long contact = state.upsertContact(Map.of("email", "d@example.com")).id();
        long segment = state.addSegment("Doomed", null, null, true).id();
        state.addToSegment(segment, contact);
        Answer deleted = api.send("DELETE", "/api/segments/" + segment + "/delete", "application/json", "");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().path("list").path("name").asText()).isEqualTo("Doomed");
        assertThat(state.segmentMembers(segment)).isEmpty();
        assertThat(api.post("/api/segments/" + segment + "/contacts/add", Map.of("ids", List.of(contact))).status()).isEqualTo(404);
        assertThat(api.send("DELETE", "/api/segments/" + segment + "/delete", "application/json", "").status()).isEqualTo(404);
    }

    @Test
    void segmentBatchAddReportsEachIdAndNeedsIds() {
        long contact = state.upsertContact(Map.of("email", "sb@example.com")).id();
        long segment = state.addSegment("Batch", null, null, true).id();
        JsonNode a = api.post("/api/segments/" + segment + "/contacts/add", Map.of("ids", List.of(contact, 9999))).json();
        assertThat(a.path("details").path(String.valueOf(contact)).path("success").asBoolean()).isTrue();
        assertThat(a.path("details").path("9999").path("success").asBoolean()).isFalse();
        assertThat(state.segmentMembers(segment)).containsExactly(contact);
        assertThat(api.post("/api/segments/" + segment + "/contacts/add", Map.of()).status()).isEqualTo(400);
    }

    @Test
    void unpublishedSegmentsAnswer403AndUnknownOnes404() {
        long contact = state.upsertContact(Map.of("email", "u@example.com")).id();
        long hidden = state.addSegment("Hidden", null, null, false).id();
        Answer forbidden = api.post("/api/segments/" + hidden + "/contact/" + contact + "/add", Map.of());
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.error().path("message").asText()).isEqualTo("You do not have access to the requested area/action.");
        assertThat(api.post("/api/segments/" + hidden + "/contacts/add", Map.of("ids", List.of(contact))).status()).isEqualTo(403);

        assertThat(api.post("/api/segments/777/contact/" + contact + "/add", Map.of()).error().path("message").asText())
                .isEqualTo("Item was not found.");
        long open = state.addSegment("Open", null, null, true).id();
        Answer noContact = api.post("/api/segments/" + open + "/contact/777/add", Map.of());
        assertThat(noContact.status()).isEqualTo(404);
        assertThat(noContact.error().path("message").asText()).isEqualTo("Contact not found.");
    }

    // ---- UTM, notes, points, activity ----

    @Test
    void utmTagsAreRecordedAndShowOnTheContactAndItsActivity() {
        long id = state.upsertContact(Map.of("email", "utm@example.com")).id();
        Answer a = api.post("/api/contacts/" + id + "/utm/add", Map.of("utm_source", "goto", "utm_medium", "webinar",
                "utm_campaign", "Spring Launch", "utm_content", "attended", "utm_term", "wb_8812",
                "lastActive", "2024-05-02 13:00:00"));
        assertThat(a.status()).isEqualTo(200);
        MauticState.UtmRow row = state.utmRows(id).get(0);
        assertThat(row.utmSource()).isEqualTo("goto");
        assertThat(row.utmCampaign()).isEqualTo("Spring Launch");
        assertThat(row.utmTerm()).isEqualTo("wb_8812");
        assertThat(row.dateAdded()).hasToString("2024-05-02T13:00:00Z");
        assertThat(a.json().path("contact").path("utmtags").path(0).path("utmCampaign").asText()).isEqualTo("Spring Launch");

        JsonNode activity = api.get("/api/contacts/" + id + "/activity").json();
        assertThat(activity.path("events").path(0).path("event").asText()).isEqualTo("lead.utmtagsadded");
        assertThat(activity.path("total").asInt()).isEqualTo(1);
        assertThat(api.post("/api/contacts/999/utm/add", Map.of("utm_source", "x")).error().path("message").asText())
                .isEqualTo("Contact not found.");
    }

    @Test
    void notesNeedALeadAndText() {
        long id = state.upsertContact(Map.of("email", "n@example.com")).id();
        Answer noLead = api.post("/api/notes/new", Map.of("text", "hi"));
        assertThat(noLead.status()).isEqualTo(400);
        assertThat(noLead.error().path("message").asText()).isEqualTo("lead ID is mandatory");
        Answer noText = api.post("/api/notes/new", Map.of("lead", id, "text", " "));
        assertThat(noText.status()).isEqualTo(400);
        assertThat(noText.error().path("details").path("text").isArray()).isTrue();

        Answer note = api.post("/api/notes/new", Map.of("lead", id, "text", "<b>Attended</b> 42 min", "type", "call"));
        assertThat(note.status()).isEqualTo(201);
        assertThat(note.json().path("note").path("lead").path("id").asLong()).isEqualTo(id);
        JsonNode notes = api.get("/api/contacts/" + id + "/notes").json();
        assertThat(notes.path("notes").isArray()).isTrue();
        assertThat(notes.path("notes").path(0).path("text").asText()).isEqualTo("<b>Attended</b> 42 min");
        assertThat(state.notes(id)).extracting(MauticState.Note::type).containsExactly("call");
    }

    @Test
    void pointsChangeByOperatorButSetIsRefused() {
        long id = state.upsertContact(Map.of("email", "p@example.com")).id();
        assertThat(api.post("/api/contacts/" + id + "/points/plus/10", Map.of()).body()).isEqualTo("{\"success\":1}");
        api.post("/api/contacts/" + id + "/points/times/3", Map.of());
        api.post("/api/contacts/" + id + "/points/minus/5", Map.of());
        assertThat(state.contact(id).orElseThrow().points()).isEqualTo(25);
        Answer set = api.post("/api/contacts/" + id + "/points/set/1", Map.of());
        assertThat(set.status()).isEqualTo(400);
        assertThat(set.error().path("message").asText()).isEqualTo("Invalid operator");
        assertThat(state.activity(id)).extracting(MauticState.Activity::label).contains("API / 10");
        assertThat(api.post("/api/contacts/999/points/plus/1", Map.of()).status()).isEqualTo(404);
    }

    // ---- custom fields ----

    @Test
    void selectFieldsNeedOptionsAndPatchReplacesThem() {
        Answer noList = api.post("/api/fields/contact/new", Map.of("label", "GoTo webinar", "type", "select"));
        assertThat(noList.status()).isEqualTo(400);
        Answer noNo = api.post("/api/fields/contact/new", Map.of("label", "Attended", "type", "boolean",
                "properties", Map.of("yes", "Yes")));
        assertThat(noNo.error().path("message").asText()).isEqualTo("A 'negative' label is required.");

        Map<String, Object> props = Map.of("list", List.of(Map.of("label", "Spring Launch", "value", "wb_8812")));
        Answer created = api.post("/api/fields/contact/new", Map.of("label", "GoTo webinar", "alias", "goto_webinar",
                "type", "select", "properties", props));
        assertThat(created.status()).isEqualTo(201);
        JsonNode field = created.json().path("field");
        assertThat(field.path("properties")).isEqualTo(MauticTestClient.JSON.valueToTree(props));
        long fieldId = field.path("id").asLong();

        api.patch("/api/fields/contact/" + fieldId + "/edit", Map.of("properties", Map.of("list", List.of(
                Map.of("label", "Spring Launch", "value", "wb_8812"), Map.of("label", "Q3 Review", "value", "wb_9001")))));
        assertThat(state.field("goto_webinar").orElseThrow().options())
                .containsExactly(new Option("Spring Launch", "wb_8812"), new Option("Q3 Review", "wb_9001"));
        JsonNode listed = api.get("/api/fields/contact").json().path("fields").path(String.valueOf(fieldId));
        assertThat(listed.path("alias").asText()).isEqualTo("goto_webinar");

        long contact = api.post("/api/contacts/new", Map.of("email", "f@example.com", "goto_webinar", "wb_9001"))
                .json().path("contact").path("id").asLong();
        JsonNode value = api.get("/api/contacts/" + contact).json().path("contact").path("fields").path("core").path("goto_webinar");
        assertThat(value.path("value").asText()).isEqualTo("wb_9001");
        assertThat(value.path("normalizedValue").asText()).isEqualTo("Q3 Review");
    }

    // ---- campaigns, emails, forms ----

    @Test
    void campaignsAreListedByIdAndTakeContacts() {
        MauticDemo.seed(sim);
        long campaign = state.campaignByName("Webinar follow-up").orElseThrow().id();
        long contact = state.contactByEmail("grace@example.com").orElseThrow().id();
        assertThat(api.get("/api/campaigns").json().path("campaigns").path(String.valueOf(campaign)).path("name").asText())
                .isEqualTo("Webinar follow-up");
        assertThat(api.post("/api/campaigns/" + campaign + "/contact/" + contact + "/add", Map.of()).body())
                .isEqualTo("{\"success\":1}");
        assertThat(state.campaignMembers(campaign)).containsExactly(contact);
        assertThat(api.post("/api/campaigns/999/contact/" + contact + "/add", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void emailSendsAreRecordedWithBraceWrappedTokens() {
        MauticDemo.seed(sim);
        long email = state.emailByName("Webinar confirmation").orElseThrow().id();
        long contact = state.contactByEmail("ada.lovelace@example.com").orElseThrow().id();
        Answer sent = api.post("/api/emails/" + email + "/contact/" + contact + "/send", Map.of("tokens",
                Map.of("webinar_link", "https://global.gotowebinar.com/join/1/2", "{webinar_button}", "<a href=\"x\">Join</a>")));
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.body()).isEqualTo("{\"success\":true}");
        MauticState.EmailSend send = state.emailSends().get(0);
        assertThat(send.emailId()).isEqualTo(email);
        assertThat(send.contactId()).isEqualTo(contact);
        assertThat(send.tokens()).containsEntry("{webinar_link}", "https://global.gotowebinar.com/join/1/2")
                .containsEntry("{webinar_button}", "<a href=\"x\">Join</a>").hasSize(2);

        assertThat(api.post("/api/emails/999/contact/" + contact + "/send", Map.of()).status()).isEqualTo(404);
        Answer noContact = api.post("/api/emails/" + email + "/contact/999/send", Map.of());
        assertThat(noContact.error().path("message").asText()).isEqualTo("Contact not found.");
        assertThat(api.get("/api/emails").json().path("emails").path(String.valueOf(email)).path("customHtml").asText())
                .contains("{webinar_link}");
    }

    @Test
    void formsShowSelectOptionsAtListListAndPatchReplacesPropertiesAndOrder() {
        MauticDemo.seed(sim);
        state.setFieldOptions("goto_webinar", List.of(new Option("Spring Launch", "wb_8812")));
        long form = state.formByAlias("gotowebinar").orElseThrow().id();
        JsonNode got = api.get("/api/forms/" + form).json().path("form");
        assertThat(got.path("fields").isArray()).isTrue();
        JsonNode select = null;
        for (JsonNode f : got.path("fields")) {
            if (f.path("alias").asText().equals("goto_webinar")) {
                select = f;
            }
        }
        assertThat(select).isNotNull();
        assertThat(select.path("properties").path("list").path("list").path(0).path("value").asText()).isEqualTo("wb_8812");

        long selectId = select.path("id").asLong();
        Map<String, Object> newProps = Map.of("syncList", 0, "multiple", 0,
                "list", Map.of("list", List.of(Map.of("label", "Q3 Review", "value", "wb_9001"))));
        List<Object> sent = new ArrayList<>(List.of(Map.of("id", selectId, "properties", newProps)));
        for (JsonNode f : got.path("fields")) {
            if (f.path("id").asLong() != selectId) {
                sent.add(Map.of("id", f.path("id").asLong()));
            }
        }
        sent.add(Map.of("label", "Company", "type", "text"));
        Answer patched = api.patch("/api/forms/" + form + "/edit", Map.of("fields", sent));
        assertThat(patched.status()).isEqualTo(200);
        JsonNode fields = patched.json().path("form").path("fields");
        List<String> aliases = new ArrayList<>();
        fields.forEach(f -> aliases.add(f.path("alias").asText()));
        assertThat(aliases).as("request order").containsExactly("goto_webinar", "email", "firstname", "lastname", "submit", "company");
        assertThat(fields.path(0).path("order").asInt()).isEqualTo(1);
        assertThat(fields.path(0).path("properties")).as("replaced wholesale").isEqualTo(MauticTestClient.JSON.valueToTree(newProps));
        assertThat(state.form(form).orElseThrow().field("goto_webinar").orElseThrow().options())
                .containsExactly(new Option("Q3 Review", "wb_9001"));
        assertThat(api.get("/api/forms").json().path("forms").isArray()).isTrue();
    }

    @Test
    void theDemoIsTheSameEveryTime() {
        MauticDemo.seed(sim);
        assertThat(state.formByAlias("gotowebinar").orElseThrow().name()).isEqualTo("GoTo webinar signup");
        assertThat(state.form(1).orElseThrow().field("goto_webinar").orElseThrow().mappedField()).isEqualTo("goto_webinar");
        assertThat(state.emails()).extracting(MauticState.Email::name)
                .containsExactly("Webinar confirmation", "Your meeting link", "Training access");
        assertThat(state.emailByName("Training access").orElseThrow().customHtml()).contains("{training_link}", "{training_button}");
        assertThat(state.contacts()).extracting(Contact::id).containsExactly(1L, 2L, 3L);
        assertThat(state.contactByEmail("ada.lovelace@example.com").orElseThrow().email()).isEqualTo("Ada.Lovelace@Example.com");
        assertThat(state.contactByEmail("zoe.angstrom@example.org").orElseThrow().field("firstname")).isEqualTo("Zoë");
    }
}
