package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import io.gotomautic.bridge.TestBridge;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started as an operator starts it: {@code java -jar target/goto-mautic-bridge.jar ...}. */
class CliIT {

    static final Path JAR = Path.of("target/goto-mautic-bridge.jar").toAbsolutePath();

    @TempDir
    Path work;

    private ProcessBuilder java(Map<String, String> env, String... args) throws IOException {
        return java(work, env, args);
    }

    /** The jar started in {@code folder}, as an operator would from an installation there. */
    private static ProcessBuilder java(Path folder, Map<String, String> env, String... args) throws IOException {
        copyRecursively(Path.of("routes"), folder.resolve("routes"));
        Files.copy(Path.of("application.properties"), folder.resolve("application.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(folder.toFile());
        pb.environment().putAll(env);
        return pb;
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result finish(Process p) throws Exception {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process ended").isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommand() throws Exception {
        Result r = finish(java(Map.of(), "-jar", JAR.toString(), "--help").start());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: goto-mautic-bridge").contains("run").contains("status").contains("help")
                .contains("GOTO_RATE_LIMIT");
    }

    @Test
    void aBadSettingStopsStartUpWithOneClearLine() throws Exception {
        Result r = finish(java(Map.of("GOTO_RATE_LIMIT", "lots"), "-jar", JAR.toString()).start());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(
                "goto-mautic-bridge: configuration error: goto.rate-limit: \"lots\" is not a rate; write <calls>/<duration>, e.g. 100/60s");
        assertThat(r.out()).doesNotContain("Exception").doesNotContain("\tat ");

        Result url = finish(java(Map.of(), "-Dgoto.api-url=htp:/nowhere", "-jar", JAR.toString(), "status").start());
        assertThat(url.exit()).isEqualTo(2);
        assertThat(url.err().strip()).startsWith("goto-mautic-bridge: configuration error: goto.api-url:").doesNotContain("\n");
    }

    @Test
    void anUnreachableDatabaseIsOneClearLine() throws Exception {
        int closed = TestBridge.freePort();
        Result r = finish(java(Map.of("BRIDGE_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/nope"),
                "-jar", JAR.toString()).start());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("goto-mautic-bridge: database jdbc:postgresql://127.0.0.1:" + closed + "/nope is not usable:")
                .doesNotContain("\n");
    }

    /** The README's promise: a first run needs nothing configured, not even a database. */
    @Test
    void runsWithNothingConfiguredOnTheEmbeddedDatabaseWithRemoteJmx() throws Exception {
        int http = TestBridge.freePort();
        int pgPort = TestBridge.freePort();
        int jmxPort = TestBridge.freePort();
        Map<String, String> env = Map.of("BRIDGE_HTTP_PORT", String.valueOf(http),
                "BRIDGE_DB_EMBEDDED_PORT", String.valueOf(pgPort));
        ProcessBuilder pb = java(env,
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "-jar", JAR.toString());
        pb.redirectErrorStream(true).redirectOutput(work.resolve("bridge.log").toFile());
        Process bridge = pb.start();
        try {
            HttpClient http1 = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build();
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> http1.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            assertThat(http1.send(health, HttpResponse.BodyHandlers.ofString()).body()).contains("\"status\":\"UP\"");
            assertThat(Files.isDirectory(work.resolve("data/postgres"))).as("embedded data under ./data").isTrue();

            String log = Files.readString(work.resolve("bridge.log"));
            assertThat(log).contains("GoTo API: not configured").contains("Mautic API: not configured")
                    .contains("Mautic webhooks: not configured").contains("Campaign hooks: not configured");

            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                assertThat(mbeans.getAttribute(new ObjectName("org.apache.camel:context=bridge,type=routes,name=\"health\""),
                        "State")).isEqualTo("Started");
            }

            Result status = finish(java(env, "-jar", JAR.toString(), "status").start());
            assertThat(status.exit()).isZero();
            assertThat(status.out()).contains("database: jdbc:postgresql://127.0.0.1:" + pgPort)
                    .contains("GoTo API: not configured")
                    .containsPattern("webinar\\s+never synced")
                    .containsPattern("inbox\\s+0 waiting")
                    .containsPattern("outbox\\s+0 waiting")
                    .contains("dead letters: 0");
        } finally {
            bridge.destroy();
        }
        assertEndsAfterSigterm(bridge);
        String log = Files.readString(work.resolve("bridge.log"));
        assertThat(log).contains("(bridge) shutdown");
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !portOpen(pgPort));
    }

    private static boolean healthy(int port) {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
        try {
            return HttpClient.newHttpClient().send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code kill -9} leaves the embedded PostgreSQL running on the folder's data; the next start in that folder
     * stops it and comes up on the same data. Meanwhile {@code status} in another folder refuses that database.
     */
    @Test
    void afterAKillTheEmbeddedDatabaseComesBackWithItsDataAndNoOtherFolderUsesIt(@TempDir Path other) throws Exception {
        int http = TestBridge.freePort();
        int pgPort = TestBridge.freePort();
        Map<String, String> env = Map.of("BRIDGE_HTTP_PORT", String.valueOf(http), "BRIDGE_DB_EMBEDDED_PORT", String.valueOf(pgPort));
        ProcessBuilder service = java(env, "-jar", JAR.toString());
        service.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("bridge.log").toFile()));

        Process first = service.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> healthy(http));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", "");
                 java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO dead_letter (source, reference, payload, reason) VALUES ('inbox', 'inbox#1', '{}', 'kept across the kill')");
            }
        } finally {
            first.destroyForcibly();
        }
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(portOpen(pgPort)).as("the killed bridge's PostgreSQL still runs").isTrue();
        long orphan = Long.parseLong(Files.readAllLines(work.resolve("data/postgres/postmaster.pid")).get(0).strip());

        Process second = service.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> healthy(http) || !second.isAlive());
            assertThat(second.isAlive()).as(Files.readString(work.resolve("bridge.log"))).isTrue();
            assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("the orphaned PostgreSQL, stopped").isEmpty();

            Result status = finish(java(env, "-jar", JAR.toString(), "status").start());
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).contains("dead letters: 1").contains("kept across the kill");

            Result elsewhere = finish(java(other, env, "-jar", JAR.toString(), "status").start());
            assertThat(elsewhere.exit()).isEqualTo(1);
            assertThat(elsewhere.err().strip()).startsWith("goto-mautic-bridge: database embedded PostgreSQL on 127.0.0.1:" + pgPort
                    + " is not usable: it serves the data folder ").contains("not this folder's " + other.toRealPath().resolve("data/postgres"))
                    .doesNotContain("\n");
            assertThat(elsewhere.out()).doesNotContain("dead letters").doesNotContain("kept across the kill");
        } finally {
            second.destroy();
        }
        assertEndsAfterSigterm(second);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !portOpen(pgPort));
    }

    /**
     * The service ends within 60 s of SIGTERM. One that does not leaves its thread dump (where the stop hangs) and its
     * log's end in the test's output, then is killed, so its embedded database frees the port for the next test.
     */
    private void assertEndsAfterSigterm(Process bridge) throws Exception {
        boolean ended = bridge.waitFor(60, TimeUnit.SECONDS);
        String threads = "";
        if (!ended) {
            Path dump = Path.of("target", "cliit-threads-" + bridge.pid() + ".txt").toAbsolutePath();
            new ProcessBuilder("jcmd", String.valueOf(bridge.pid()), "Thread.print").redirectErrorStream(true)
                    .redirectOutput(dump.toFile()).start().waitFor(20, TimeUnit.SECONDS);
            threads = Files.readString(dump);
            bridge.destroyForcibly();
        }
        String log = Files.readString(work.resolve("bridge.log"));
        if (log.contains("after the stop began; halting")) {
            // it ended, by its watchdog: the stacks it left say what held the stop
            System.out.println("CliIT: the bridge's stop hung and its watchdog ended it:\n" + log.substring(log.indexOf("goto-mautic-bridge: not ended")));
        }
        assertThat(ended).as("the bridge ends within 60 s of SIGTERM; its threads:%n%s%nits log ends:%n%s", threads,
                log.substring(Math.max(0, log.length() - 2000))).isTrue();
    }

    private static boolean portOpen(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
