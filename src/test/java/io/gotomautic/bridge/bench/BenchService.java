package io.gotomautic.bridge.bench;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.MauticSimulator;

/**
 * What the benchmarks share: the packaged service started as an operator starts it ({@code java -Xmx256m -jar},
 * configured by environment variables) against the simulators and a database of its own on the local PostgreSQL.
 */
final class BenchService {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private BenchService() {
    }

    /**
     * @param env  settings beyond the connection to the simulators and the database, as environment variables
     * @param log  the service's output is appended here, after a line naming the run
     */
    static Process start(String db, int port, GoToSimulator goTo, MauticSimulator mautic, Map<String, String> env, Path log,
                         String run) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/goto-mautic-bridge.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no service jar at " + jar + " (build it, or pass -Dbench.jar=...)");
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()));
        Map<String, String> e = pb.environment();
        e.put("BRIDGE_DB_URL", SERVER + db);
        e.put("BRIDGE_HTTP_PORT", String.valueOf(port));
        e.put("GOTO_API_URL", goTo.baseUrl());
        e.put("GOTO_AUTH_URL", goTo.baseUrl());
        e.put("GOTO_CLIENT_ID", "bench");
        e.put("GOTO_CLIENT_SECRET", "bench");
        e.put("GOTO_REFRESH_TOKEN", "bench");
        e.put("MAUTIC_URL", mautic.baseUrl());
        e.put("MAUTIC_USERNAME", "bench");
        e.put("MAUTIC_PASSWORD", "bench");
        e.putAll(env);
        Files.writeString(log, "==== " + Instant.now() + " " + run + ", database " + db + " ====\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /** One number from the service's database; 0 while its tables are not migrated yet. */
    static long count(String db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0;
            }
            throw e;
        }
    }

    /** A statement on the server's postgres database: CREATE / DROP DATABASE. */
    static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Until {@code GET /health} answers 200 (routes up, database reachable), at most 3 minutes. */
    static void awaitReady(Process bridge, int port, Path log) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            if (!bridge.isAlive()) {
                throw new IllegalStateException("the service died at start; see " + log);
            }
            try {
                if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not healthy within 3 minutes; see " + log);
            }
            Thread.sleep(250);
        }
    }

    /** SIGTERM, and SIGKILL if it has not stopped within a minute. */
    static void stop(Process bridge) throws InterruptedException {
        bridge.destroy();
        if (!bridge.waitFor(60, TimeUnit.SECONDS)) {
            bridge.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
