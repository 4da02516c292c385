package io.gotomautic.bridge.mautic;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.store.StoredSecrets;

/**
 * {@code setup mautic}: checks the API user and each permission the bridge needs, makes (or mends) the Mautic webhook
 * that sends form submissions and contact saves to {@code {bridge.public-url}/webhooks/mautic}, creates the contact
 * fields, and gives the campaign "send a webhook" settings to paste. Run again, it changes nothing.
 */
public class MauticSetup {

    /** What the run found and did, line by line; {@code ok} false while something must be mended in Mautic. */
    public record Report(List<String> lines, boolean ok) {
    }

    static final String HOOK_NAME = "goto-mautic-bridge";
    static final List<String> TRIGGERS = List.of("mautic.form_on_submit", "mautic.lead_post_save_new", "mautic.lead_post_save_update");
    /** Each permission the bridge uses, and where in Mautic's roles it is granted. */
    private static final Map<String, String> PERMISSIONS = permissions();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MauticClient client;
    private final StoredSecrets secrets;
    private final ContactMapping mapping;
    private final String publicUrl;
    private final String configuredSecret;
    private final boolean campaignHooks;

    /**
     * @param configuredSecret mautic.webhook-secret, empty when unset (then one is generated and stored)
     * @param campaignHooks    whether bridge.inbound-token is set (POST /hooks/campaign on)
     */
    public MauticSetup(MauticClient client, StoredSecrets secrets, ContactMapping mapping, String publicUrl,
                       String configuredSecret, boolean campaignHooks) {
        this.client = client;
        this.secrets = secrets;
        this.mapping = mapping;
        this.publicUrl = publicUrl.replaceAll("/+$", "");
        this.configuredSecret = configuredSecret == null ? "" : configuredSecret;
        this.campaignHooks = campaignHooks;
    }

    public Report run() throws SQLException {
        List<String> lines = new ArrayList<>();
        JsonNode self;
        try {
            self = client.self();
        } catch (MauticException e) {
            lines.add("Mautic does not accept the bridge's credentials: " + e.getMessage());
            e.fix().ifPresent(fix -> lines.add("  " + fix));
            return new Report(lines, false);
        }
        lines.add("Mautic API user " + self.path("username").asText() + " (role " + self.path("role").path("name").asText("?") + "): credentials work");
        boolean ok = permissions(self, lines);
        if (!ok) {
            lines.add("Grant the permissions above to the role, then run `setup mautic` again.");
            return new Report(lines, false);
        }
        webhook(lines);
        fields(lines);
        campaignActions(lines);
        return new Report(lines, true);
    }

    /** One line per permission the role lacks, saying what to grant. */
    private boolean permissions(JsonNode self, List<String> lines) {
        if (self.path("role").path("isAdmin").asBoolean(false)) {
            lines.add("permissions: the role is an administrator's, it has every permission");
            return true;
        }
        Map<String, Boolean> granted;
        try {
            granted = client.permissions(self.path("id").asLong(), List.copyOf(PERMISSIONS.keySet()));
        } catch (MauticException e) {
            lines.add("Mautic did not say which permissions the role has (" + e.getMessage() + "); check by hand that it has: "
                    + String.join("; ", new TreeSet<>(PERMISSIONS.values())));
            return false;
        }
        boolean all = true;
        for (Map.Entry<String, String> p : PERMISSIONS.entrySet()) {
            if (!granted.getOrDefault(p.getKey(), false)) {
                lines.add("missing permission " + p.getKey() + ": in Settings › Roles › " + self.path("role").path("name").asText("the role")
                        + ", grant " + p.getValue());
                all = false;
            }
        }
        if (all) {
            lines.add("permissions: all " + PERMISSIONS.size() + " the bridge uses are granted");
        }
        return all;
    }

    /** The webhook of {@code {bridge.public-url}/webhooks/mautic}: created, mended, or left as it is. */
    private void webhook(List<String> lines) throws SQLException {
        String url = publicUrl + "/webhooks/mautic";
        String secret = configuredSecret;
        if (secret.isEmpty()) {
            java.util.Optional<String> stored = secrets.get("mautic.webhook-secret");
            if (stored.isPresent()) {
                secret = stored.get();
            } else {
                byte[] b = new byte[32];
                RANDOM.nextBytes(b);
                secret = secrets.putIfAbsent("mautic.webhook-secret", Base64.getUrlEncoder().withoutPadding().encodeToString(b));
                lines.add("mautic.webhook-secret was empty: generated one and stored it in the database (restart the service"
                        + " so that it takes the webhook's deliveries)");
            }
        }
        Map<String, Object> wanted = new LinkedHashMap<>();
        wanted.put("name", HOOK_NAME);
        wanted.put("description", "Form submissions and contact saves for goto-mautic-bridge (made by `setup mautic`)");
        wanted.put("webhookUrl", url);
        wanted.put("secret", secret);
        wanted.put("triggers", TRIGGERS);
        wanted.put("eventsOrderbyDir", "ASC");
        wanted.put("isPublished", true);
        List<JsonNode> ours = client.hooks().stream().filter(h -> h.path("webhookUrl").asText().equals(url)).toList();
        if (ours.isEmpty()) {
            long id = client.createHook(wanted);
            lines.add("created Mautic webhook #" + id + " to " + url + " (" + String.join(", ", TRIGGERS) + ")");
            return;
        }
        JsonNode hook = ours.get(0);
        List<String> differs = differences(hook, secret);
        if (differs.isEmpty()) {
            lines.add("Mautic webhook #" + hook.path("id").asLong() + " to " + url + " is as it should be");
        } else {
            client.editHook(hook.path("id").asLong(), wanted);
            lines.add("updated Mautic webhook #" + hook.path("id").asLong() + " to " + url + ": " + String.join(", ", differs));
        }
        if (ours.size() > 1) {
            lines.add("Mautic has " + ours.size() + " webhooks to " + url + ": every delivery comes " + ours.size()
                    + " times (stored once); delete all but #" + hook.path("id").asLong() + " in Mautic");
        }
    }

    private static List<String> differences(JsonNode hook, String secret) {
        List<String> d = new ArrayList<>();
        Set<String> triggers = new TreeSet<>();
        hook.path("triggers").forEach(t -> triggers.add(t.asText()));
        if (!triggers.containsAll(TRIGGERS)) {
            d.add("triggers");
        }
        // Mautic may not show the secret back: compared only when it does
        if (hook.hasNonNull("secret") && !hook.path("secret").asText().equals(secret)) {
            d.add("secret");
        }
        if (!hook.path("isPublished").asBoolean(true)) {
            d.add("published");
        }
        return d;
    }

    private void fields(List<String> lines) {
        List<String> created = client.ensureContactFields(MauticPush.wantedFields(mapping.aliases()));
        lines.add(created.isEmpty() ? "contact fields: all the bridge fills are there" : "created contact fields " + String.join(", ", created));
    }

    /** What to paste into each campaign action "Send a webhook". */
    private void campaignActions(List<String> lines) {
        if (!campaignHooks) {
            lines.add("Campaign actions: set bridge.inbound-token first (POST /hooks/campaign is off without it), then run"
                    + " `setup mautic` again for the settings to paste");
            return;
        }
        lines.add("Campaign actions \"Send a webhook\", one per action: URL " + publicUrl + "/hooks/campaign, method POST,"
                + " header X-Bridge-Token = the value of bridge.inbound-token, and as data:");
        String person = "email = {contactfield=email}, firstname = {contactfield=firstname}, lastname = {contactfield=lastname}";
        lines.add("  register for a webinar:   action = register-webinar, event_key = {contactfield=goto_webinar}, " + person);
        lines.add("  register for a training:  action = register-training, event_key = {contactfield=goto_training}, " + person);
        lines.add("  training link by email:   action = training-link, event_key = {contactfield=goto_training}, email_id = <the"
                + " email's id>, " + person);
        lines.add("  meeting link by email:    action = meeting-link, contact_id = {contactfield=id}, email_id = <the email's id>,"
                + " subject = <the meeting's subject>");
        lines.add("  assist link by email:     action = assist-link, contact_id = {contactfield=id}, email_id = <the email's id>");
    }

    private static Map<String, String> permissions() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("lead:leads:viewother", "Contacts: View (others' too)");
        p.put("lead:leads:create", "Contacts: Create");
        p.put("lead:leads:editother", "Contacts: Edit (others' too)");
        p.put("lead:fields:full", "Contacts › Custom Fields: Full");
        p.put("lead:lists:viewother", "Segments: View (others' too)");
        p.put("lead:lists:create", "Segments: Create");
        p.put("lead:lists:editother", "Segments: Edit (others' too)");
        p.put("email:emails:viewother", "Emails: View (others' too), to send the link emails");
        p.put("webhook:webhooks:viewother", "Webhooks: View (others' too)");
        p.put("webhook:webhooks:create", "Webhooks: Create");
        p.put("webhook:webhooks:editother", "Webhooks: Edit (others' too)");
        return p;
    }
}
