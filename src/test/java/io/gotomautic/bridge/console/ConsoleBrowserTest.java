package io.gotomautic.bridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The admin console in a real browser: headless Chromium from Debian's packages (installed by .ci/run), driven by
 * Selenium, against the running service, the GoTo and Mautic simulators and real PostgreSQL. It connects a GoTo account
 * through the whole consent flow, and replays a dead letter the service made; a screenshot of each page is kept in
 * target/console-screenshots/.
 */
class ConsoleBrowserTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final Path SHOTS = Path.of("target/console-screenshots");

    GoToSimulator goTo;
    MauticSimulator mautic;
    Bridge bridge;
    WebDriver browser;
    String base;

    @BeforeEach
    void start() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh-of-the-organizer");
        mautic = MauticSimulator.start(0, "api", "pass");
        DB.empty();
        int port = TestBridge.freePort();
        base = "http://127.0.0.1:" + port;
        Map<String, String> s = new LinkedHashMap<>(DB.settings());
        s.put("bridge.secret-key", "console-test-key");
        s.put("bridge.admin.username", "admin");
        s.put("bridge.admin.password", "console-pass");
        s.put("bridge.inbound-token", "campaign-token");
        s.putAll(TestBridge.connectable(goTo, port));
        s.put("mautic.url", mautic.baseUrl());
        s.put("mautic.username", "api");
        s.put("mautic.password", "pass");
        bridge = TestBridge.start(s);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,1600");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build(), options);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        bridge.close();
        goTo.close();
        mautic.close();
    }

    @Test
    void anOperatorConnectsAGoToAccountAndReplaysADeadLetter() throws Exception {
        browser.get(base.replace("http://", "http://admin:console-pass@") + "/admin");
        assertThat(browser.findElement(By.id("no-accounts")).getText()).isEqualTo("No GoTo account connected.");
        shot("1-console-empty");

        browser.findElement(By.id("connect")).click();
        // a click returns before the browser has followed the POST's redirects: each step waits for the next page
        until(() -> browser.getCurrentUrl().startsWith(goTo.baseUrl() + "/oauth/authorize?"));
        shot("2-goto-consent");
        browser.findElement(By.id("allow")).click();
        until(() -> browser.findElement(By.tagName("h1")).getText().equals("GoTo account connected"));
        shot("3-connected");

        // a registration for a webinar GoTo does not have: a dead letter once the inbox has asked GoTo
        HttpResponse<String> hook = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/hooks/campaign"))
                .header("X-Bridge-Token", "campaign-token").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=register-webinar&event_key=4242424242&email=sam@example.com"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hook.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !DB.strings(
                "SELECT id FROM dead_letter WHERE replayed_at IS NULL").isEmpty());
        long dead = Long.parseLong(DB.strings("SELECT id FROM dead_letter WHERE replayed_at IS NULL").get(0));

        browser.get(base + "/admin");
        String organizer = String.valueOf(goTo.state().organizer().key());
        assertThat(browser.findElement(By.id("accounts")).getText()).contains(goTo.state().organizer().email().toLowerCase())
                .contains(organizer).contains("connected");
        assertThat(browser.findElement(By.id("dead-" + dead)).getText()).contains("GoTo");
        assertThat(browser.findElement(By.id("requests")).getText()).contains("sam@example.com").contains("webinar 4242424242");
        assertThat(browser.findElement(By.cssSelector(".calls-total")).getText()).doesNotStartWith("0 calls");
        shot("4-console-dead-letter");

        browser.findElement(By.id("replay-" + dead)).click();
        until(() -> browser.findElement(By.id("notice")).getText().equals("replayed dead letter #" + dead));
        assertThat(DB.strings("SELECT (replayed_at IS NOT NULL)::text FROM dead_letter WHERE id = " + dead)).containsExactly("true");
        shot("5-replayed");

        browser.findElement(By.id("disconnect-" + organizer)).click();
        until(() -> browser.findElement(By.id("notice")).getText().startsWith("disconnected "));
        assertThat(browser.findElement(By.id("accounts")).getText()).contains("disconnected");
        shot("6-disconnected");
    }

    @Test
    void withoutTheCredentialsOrTheFormsTokenNothingIsShownOrDone() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Basic ");
        String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes());
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/admin")).header("Authorization", wrong).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        String right = "Basic " + Base64.getEncoder().encodeToString("admin:console-pass".getBytes());
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/replay")).header("Authorization", right)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("id=1&csrf=forged"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("token is missing or wrong");
    }

    /** Waits for the page the last click leads to (an element of the page before may be gone meanwhile). */
    private static void until(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(condition);
    }

    private void shot(String name) throws Exception {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
