package io.gotomautic.bridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    @TempDir
    Path dir;

    private Settings load(String file, Map<String, String> env, Properties system) throws IOException {
        Path f = dir.resolve("application.properties");
        Files.writeString(f, file);
        return Settings.load(f, env, system, Map.of());
    }

    @Test
    void everyKeyOfTheShippedFileHasADefaultThatLoads() {
        Settings s = Settings.load(Path.of("application.properties"), Map.of(), new Properties(), Map.of());
        assertThat(s.rateLimit()).isEqualTo(new RateLimit(100, Duration.ofSeconds(60)));
        assertThat(s.port("bridge.http.port")).isEqualTo(8080);
        assertThat(s.pollInterval("webinar")).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.optional("bridge.db.url")).isEmpty();
        assertThat(Parts.of(s)).noneMatch(Parts.Part::configured);
    }

    @Test
    void theWorkingDirectoryFileOverridesThePackedDefaults() throws IOException {
        Settings s = load("goto.rate-limit = 10/1s\n", Map.of(), new Properties());
        assertThat(s.rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(1)));
        assertThat(s.get("goto.api-url")).as("kept from the defaults").isEqualTo("https://api.getgo.com");
    }

    @Test
    void environmentVariablesOverrideTheFileIncludingPortKeys() throws IOException {
        Settings s = load("goto.rate-limit = 10/1s\n", Map.of(
                "GOTO_RATE_LIMIT", "50/30s",
                "BRIDGE_HTTP_PORT", "9090",
                "BRIDGE_DB_URL", "jdbc:postgresql://db:5432/bridge",
                "CAMEL_MAIN_NAME", "other"), new Properties());
        assertThat(s.rateLimit()).isEqualTo(new RateLimit(50, Duration.ofSeconds(30)));
        assertThat(s.port("bridge.http.port")).isEqualTo(9090);
        assertThat(s.get("bridge.db.url")).isEqualTo("jdbc:postgresql://db:5432/bridge");
        assertThat(s.get("camel.main.name")).isEqualTo("other");
    }

    @Test
    void systemPropertiesWinOverEnvironmentVariables() throws IOException {
        Properties system = new Properties();
        system.setProperty("goto.rate-limit", "7/1m");
        system.setProperty("bridge.forms.contact-us.product", "webinar");
        system.setProperty("java.version", "ignored");
        Settings s = load("", Map.of("GOTO_RATE_LIMIT", "50/30s"), system);
        assertThat(s.rateLimit()).isEqualTo(new RateLimit(7, Duration.ofMinutes(1)));
        assertThat(s.get("bridge.forms.contact-us.product")).isEqualTo("webinar");
        assertThat(s.get("java.version")).isEmpty();
    }

    @Test
    void envNamesAreUpperCaseWithUnderscores() {
        assertThat(Settings.envName("goto.rate-limit")).isEqualTo("GOTO_RATE_LIMIT");
        assertThat(Settings.envName("bridge.db.url")).isEqualTo("BRIDGE_DB_URL");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "goto.rate-limit=abc              | goto.rate-limit: \"abc\" is not a rate",
        "goto.rate-limit=0/60s            | goto.rate-limit: the number of calls must be at least 1",
        "goto.rate-limit=100/fast         | goto.rate-limit: \"fast\" is not a duration",
        "goto.api-url=not a url           | goto.api-url: \"not a url\" is not a URL",
        "goto.auth-url=ftp://host         | goto.auth-url: \"ftp://host\" is not an http(s) URL",
        "mautic.url=http://               | mautic.url:",
        "bridge.http.port=70000           | bridge.http.port: 70000 is not a TCP port",
        "bridge.http.port=eighty          | bridge.http.port: \"eighty\" is not a whole number",
        "bridge.poll.webinar=120          | bridge.poll.webinar: \"120\" is not a duration",
        "bridge.poll.assist=0s            | bridge.poll.assist: \"0s\" must be longer than zero",
        "bridge.db.url=jdbc:mysql://x/db  | bridge.db.url: \"jdbc:mysql://x/db\" is not a PostgreSQL JDBC URL",
        "mautic.auth=token                | mautic.auth: \"token\" is neither basic nor oauth2",
        "goto.client-id=abc               | goto.client-secret: is empty, but the GoTo API needs all of",
        "mautic.url=https://m.example.com | mautic.url: is set but mautic.username and mautic.password are empty",
        "goto.burst-limit=10              | goto.burst-limit: \"10\" is not a rate",
        "bridge.forms.signup.product=meeting | bridge.forms.signup.product: \"meeting\" is neither webinar nor training",
        "bridge.forms.signup.event-key=123   | bridge.forms.signup.event-key: a fixed event needs bridge.forms.signup.product",
        "bridge.forms.signup.email-id=first  | bridge.forms.signup.email-id: \"first\" is not the id of a Mautic email",
        "bridge.forms.signup.emailfield=x    | bridge.forms.signup.emailfield: unknown key; a form takes email-field, email-id,",
        "bridge.forms.signup.question.42=    | bridge.forms.signup.question.42: name the form field that answers the question",
        "bridge.forms.signup=webinar         | bridge.forms.signup: name a form and a key",
        "bridge.organizer-email=host         | bridge.organizer-email: \"host\" is not an email address",
        "bridge.campaign.dedupe-window=1 hour | bridge.campaign.dedupe-window: \"1 hour\" is not a duration",
        "bridge.http.host=                   | bridge.http.host: is empty",
    })
    void aBadSettingNamesItsKeyAndWhatIsWrong(String setting, String message) throws IOException {
        assertThatThrownBy(() -> load(setting + "\n", Map.of(), new Properties()))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void formRulesAreFoundByIdOrAliasWithTheirDefaults() throws IOException {
        Settings s = load("""
                bridge.forms.12.product = training
                bridge.forms.12.event-key = 777
                bridge.forms.signup.email-field = work_email
                bridge.forms.signup.question.organization = company
                bridge.forms.signup.email-id = 5
                """, Map.of(), new Properties());
        FormRules rules = FormRules.of(s);
        FormRules.Rule byId = rules.forForm("12", "whatever");
        assertThat(byId.product()).contains("training");
        assertThat(byId.eventKey()).contains("777");
        assertThat(byId.emailField()).isEqualTo("email");
        FormRules.Rule byAlias = rules.forForm("99", "signup");
        assertThat(byAlias.emailField()).isEqualTo("work_email");
        assertThat(byAlias.firstnameField()).isEqualTo("firstname");
        assertThat(byAlias.questions()).containsExactly(Map.entry("organization", "company"));
        assertThat(byAlias.emailId()).contains(5L);
        assertThat(rules.forForm("3", "other")).isSameAs(FormRules.DEFAULT);
    }
}
