package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server on loopback for one simulated service: routes by method and path template, the
 * service's own error envelope, a sliding-window rate limit (one window per caller) answered with 429 and
 * Retry-After, injected faults, and a log of every call per endpoint.
 */
public final class SimServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(SimServer.class);

    /** Handles one call. */
    @FunctionalInterface
    public interface Handler {
        SimResponse handle(SimRequest request) throws Exception;
    }

    /** Builds the service's error body for a status and message. */
    @FunctionalInterface
    public interface ErrorFormat {
        SimResponse error(int status, String message);
    }

    private record Route(String method, String template, String[] segments, Handler handler) {
    }

    private final String name;
    private final ErrorFormat errors;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Faults faults = new Faults();
    private final CallLog calls = new CallLog();
    static {
        // The JDK's HttpServer leaves Nagle's algorithm on unless told: each answer then waits for the client's
        // delayed ACK, about 40 ms on Linux, a delay the real APIs do not have. Read once, when the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The rate limit's calls, period and paths, swapped as one. */
    private record Limit(int calls, Duration period, Pattern paths) {
    }

    /** Who the calls no caller is known for come from, all together. */
    private static final Object ANYONE = new Object();

    private volatile Limit limit = new Limit(0, Duration.ofSeconds(1), Pattern.compile(".*"));
    private volatile Function<SimRequest, Object> caller = req -> ANYONE;
    /** One sliding window of call times per caller. */
    private final Map<Object, Deque<Long>> windows = new ConcurrentHashMap<>();
    private HttpServer server;
    private ExecutorService executor;

    public SimServer(String name, ErrorFormat errors) {
        this.name = name;
        this.errors = errors;
    }

    public SimServer route(String method, String template, Handler handler) {
        routes.add(new Route(method, template, split(template), handler));
        return this;
    }

    /** At most {@code calls} per {@code period} on paths matching {@code pathRegex}; 0 calls = no limit. */
    public SimServer rateLimit(int calls, Duration period, String pathRegex) {
        limit = new Limit(calls, period, Pattern.compile(pathRegex));
        windows.clear();
        return this;
    }

    /**
     * Gives each caller (as {@code caller} tells them apart; null for "not known") an allowance of its own under the
     * rate limit, as services that limit per connection do, and a count in the call log. By default all calls share
     * one.
     */
    public SimServer rateLimitPerCaller(Function<SimRequest, Object> caller) {
        this.caller = req -> Objects.requireNonNullElse(caller.apply(req), ANYONE);
        windows.clear();
        return this;
    }

    public Faults faults() {
        return faults;
    }

    public CallLog calls() {
        return calls;
    }

    /** Starts on 127.0.0.1; port 0 takes a free one. */
    public SimServer start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        executor = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, name + "-sim");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            SimResponse response;
            try {
                response = answer(method, path, exchange, body);
            } catch (SimError e) {
                response = e.body() != null ? SimResponse.json(e.status(), e.body()) : errors.error(e.status(), e.getMessage());
            } catch (Exception e) {
                LOG.warn("{} simulator failed on {} {}: {}", name, method, path, e.toString());
                response = errors.error(500, "internal error: " + e.getMessage());
            }
            send(exchange, response);
        }
    }

    private SimResponse answer(String method, String rawPath, HttpExchange exchange, byte[] body) throws Exception {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        Map<String, String> vars = new LinkedHashMap<>();
        Route route = null;
        boolean pathKnown = false;
        String[] segments = split(path);
        for (Route r : routes) {
            Map<String, String> v = matches(r.segments, segments);
            if (v != null) {
                pathKnown = true;
                if (r.method.equals(method)) {
                    route = r;
                    vars = v;
                    break;
                }
            }
        }
        SimRequest request = new SimRequest(method, path, vars, SimRequest.parseQuery(exchange.getRequestURI().getRawQuery()),
                exchange.getRequestHeaders(), body);
        Object from = caller.apply(request);
        calls.record(method + " " + (route != null ? route.template : path), from);

        Optional<Long> retryAfter = throttle(path, from);
        if (retryAfter.isPresent()) {
            calls.recordThrottled();
            return errors.error(429, "rate limit exceeded").withHeader("Retry-After", String.valueOf(retryAfter.get()));
        }
        sleep(faults.latency());
        Optional<Faults.Rule> fault = faults.match(path);
        if (fault.isPresent() && fault.get().hangFor() != null) {
            sleep(fault.get().hangFor());
        }
        if (fault.isPresent() && fault.get().statusCode() > 0) {
            int status = fault.get().statusCode();
            if (status == 429) {
                calls.recordThrottled();
            }
            SimResponse r = errors.error(status, "injected fault");
            String ra = fault.get().retryAfter();
            return ra == null ? r : r.withHeader("Retry-After", ra);
        }
        if (route == null) {
            throw new SimError(pathKnown ? 405 : 404, pathKnown ? "method not allowed" : "no such path: " + path);
        }
        SimResponse response = route.handler.handle(request);
        if (fault.isPresent()) {
            sleep(fault.get().holdAnswerFor());
        }
        if (fault.isPresent() && fault.get().isMalformed() && response.body().length > 0) {
            byte[] cut = java.util.Arrays.copyOf(response.body(), Math.max(1, response.body().length / 2));
            return new SimResponse(response.status(), response.headers(), cut);
        }
        return response;
    }

    /** Empty when the call may go on; else the seconds until its caller's window has room. */
    private Optional<Long> throttle(String path, Object from) {
        Limit l = limit;
        if (l.calls() <= 0 || !l.paths().matcher(path).find()) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        Deque<Long> window = windows.computeIfAbsent(from, k -> new ArrayDeque<>());
        synchronized (window) {
            long period = l.period().toNanos();
            while (!window.isEmpty() && now - window.peekFirst() >= period) {
                window.pollFirst();
            }
            if (window.size() < l.calls()) {
                window.addLast(now);
                return Optional.empty();
            }
            long waitNanos = period - (now - window.peekFirst());
            return Optional.of(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999)));
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (d != null && !d.isZero()) {
            Thread.sleep(d.toMillis());
        }
    }

    private static void send(HttpExchange exchange, SimResponse r) throws IOException {
        r.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        boolean noBody = r.body().length == 0 || r.status() == 204 || r.status() == 304;
        exchange.sendResponseHeaders(r.status(), noBody ? -1 : r.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    private static String[] split(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static Map<String, String> matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                vars.put(t.substring(1, t.length() - 1), java.net.URLDecoder.decode(path[i], java.nio.charset.StandardCharsets.UTF_8));
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return vars;
    }
}
