package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.connect.ConnectTest;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code connect goto} (the browser flow, answered to the running service), {@code connect goto --pat},
 * {@code accounts}, {@code disconnect} and {@code setup mautic}, as the packaged jar runs them.
 */
class ConnectIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void theCommandLineConnectsListsAndDisconnectsAccounts() throws Exception {
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh-of-the-organizer")) {
            int port = TestBridge.freePort();
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("bridge.http.port", String.valueOf(port));
            settings.put("bridge.public-url", "http://127.0.0.1:" + port);
            settings.put("bridge.secret-key", "cli-test-key");
            settings.put("goto.api-url", goTo.baseUrl());
            settings.put("goto.auth-url", goTo.baseUrl());
            settings.put("goto.client-id", "client");
            settings.put("goto.client-secret", "secret");
            // the command line reads them from the environment, as an operator's shell gives them
            Map<String, String> env = new LinkedHashMap<>();
            settings.forEach((k, v) -> env.put(k.toUpperCase().replace('.', '_').replace('-', '_'), v));
            env.put("BRIDGE_DB_URL", DB.url());
            settings.putAll(DB.settings());
            try (Bridge bridge = TestBridge.start(settings)) {
                Process connect = jar(env, "connect", "goto").start();
                BufferedReader out = new BufferedReader(new InputStreamReader(connect.getInputStream(), StandardCharsets.UTF_8));
                String url = null;
                for (String line = out.readLine(); line != null && url == null; line = out.readLine()) {
                    if (line.contains("/oauth/authorize?")) {
                        url = line.strip();
                    }
                }
                assertThat(url).as("the address to open").startsWith(goTo.baseUrl() + "/oauth/authorize?");
                ConnectTest.Browser browser = new ConnectTest.Browser();
                URI callback = browser.consent(URI.create(url), "allow");
                assertThat(browser.get(callback.toString()).statusCode()).isEqualTo(200);
                assertThat(connect.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String email = goTo.state().organizer().email().toLowerCase();
                assertThat(connect.exitValue()).isZero();
                assertThat(rest(out)).contains("connected GoTo account " + email);

                String[] listed = run(env, "accounts");
                assertThat(listed[1]).contains(email + "  organizer " + goTo.state().organizer().key() + "  connected")
                        .doesNotContain("refresh-of-the-organizer");
                assertThat(run(env, "disconnect", email)[1]).contains("disconnected GoTo account " + email);
                assertThat(run(env, "accounts")[1]).contains(email + "  organizer " + goTo.state().organizer().key() + "  disconnected");
                assertThat(run(env, "disconnect", email)).satisfies(r -> assertThat(r[0]).isEqualTo("1"));

                String[] wrong = run(env, "connect", "goto", "--pat", "pat-not-this-one");
                assertThat(wrong[0]).isEqualTo("1");
                assertThat(wrong[2]).contains("not connected: GoTo refused the Personal Access Token");
                String[] pat = run(env, "connect", "goto", "--pat", goTo.personalAccessToken());
                assertThat(pat[0]).as(pat[2]).isEqualTo("0");
                assertThat(pat[1]).contains("connected GoTo account " + email);
                assertThat(DB.strings("SELECT (refresh_token IS NOT NULL AND disconnected_at IS NULL)::text FROM goto_account"))
                        .containsExactly("true");
            }
        }
    }

    @Test
    void setupMauticMakesTheWebhookOnceAndSaysSoTheSecondTime() throws Exception {
        try (io.gotomautic.bridge.sandbox.MauticSimulator mautic = io.gotomautic.bridge.sandbox.MauticSimulator.start(0, "api", "pass")) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("BRIDGE_DB_URL", DB.url());
            env.put("BRIDGE_PUBLIC_URL", "https://bridge.example.com");
            env.put("MAUTIC_URL", mautic.baseUrl());
            env.put("MAUTIC_USERNAME", "api");
            env.put("MAUTIC_PASSWORD", "pass");
            String[] first = run(env, "setup", "mautic");
            assertThat(first[0]).as(first[1] + first[2]).isEqualTo("0");
            assertThat(first[1]).contains("created Mautic webhook #1 to https://bridge.example.com/webhooks/mautic")
                    .contains("Campaign actions: set bridge.inbound-token first");
            String[] second = run(env, "setup", "mautic");
            assertThat(second[1]).contains("Mautic webhook #1 to https://bridge.example.com/webhooks/mautic is as it should be")
                    .doesNotContain("created");
            assertThat(mautic.state().hooks()).hasSize(1);
        }
    }

    private static ProcessBuilder jar(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    private static String[] run(Map<String, String> env, String... args) throws Exception {
        Process p = jar(env, args).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    private static String rest(BufferedReader out) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            s.append(line).append('\n');
        }
        return s.toString();
    }
}
