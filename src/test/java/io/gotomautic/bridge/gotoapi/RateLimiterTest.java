package io.gotomautic.bridge.gotoapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.config.RateLimit;
import io.gotomautic.bridge.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimiterTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    static Database database;

    @BeforeAll
    static void open() {
        database = Database.open(TestBridge.settings(DB.settings()));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    /** Two instances (two limiters on one database), eight threads: no window ever holds more than the limit. */
    @Test
    void noWindowHoldsMoreThanTheLimitAcrossThreadsAndInstances() throws Exception {
        RateLimit limit = new RateLimit(10, Duration.ofSeconds(1));
        List<RateLimiter> instances = List.of(
                new RateLimiter(database.dataSource(), "shared", limit),
                new RateLimiter(database.dataSource(), "shared", limit));
        List<Long> granted = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            RateLimiter limiter = instances.get(i % 2);
            calls.add(pool.submit(() -> {
                limiter.acquire();
                granted.add(System.nanoTime());
                return null;
            }));
        }
        for (Future<?> f : calls) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(granted).hasSize(35);
        assertThat(elapsedMs).as("35 calls at 10/s need three full windows").isGreaterThanOrEqualTo(2900);
        List<Long> sorted = new ArrayList<>(granted);
        Collections.sort(sorted);
        // the limiter keeps each window 100 ms longer than its period (GoTo counts arrivals); measured in this JVM,
        // a little after the database counted each call, the full period holds no more than the limit
        long window = TimeUnit.MILLISECONDS.toNanos(1000);
        for (int i = 0; i < sorted.size(); i++) {
            int j = i;
            while (j < sorted.size() && sorted.get(j) - sorted.get(i) < window) {
                j++;
            }
            assertThat(j - i).as("calls within 1000 ms from call " + i).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void connectionsHaveWindowsOfTheirOwn() throws Exception {
        RateLimit limit = new RateLimit(3, Duration.ofMinutes(1));
        RateLimiter a = new RateLimiter(database.dataSource(), "a", limit);
        RateLimiter b = new RateLimiter(database.dataSource(), "b", limit);
        for (int i = 0; i < 3; i++) {
            assertThat(a.tryAcquire()).isZero();
            assertThat(b.tryAcquire()).isZero();
        }
        assertThat(a.tryAcquire()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    }

    @Test
    void theShortWindowSpreadsABurstAndTheLongOneCapsTheTotal() throws Exception {
        RateLimiter limiter = new RateLimiter(database.dataSource(), "two", new RateLimit(5, Duration.ofMinutes(1)),
                new RateLimit(2, Duration.ofMillis(400)));
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isZero();
        // the third waits for the short window, not the minute
        assertThat(limiter.tryAcquire()).isBetween(Duration.ofMillis(1), Duration.ofMillis(501));
        for (int i = 0; i < 3; i++) {
            limiter.acquire();
        }
        // five in the minute: the sixth waits for the long window
        assertThat(limiter.tryAcquire()).isBetween(Duration.ofSeconds(58), Duration.ofSeconds(61));
    }

    @Test
    void aPauseStopsEveryCallerOfTheConnectionUntilItEnds() throws Exception {
        RateLimiter limiter = new RateLimiter(database.dataSource(), "paused", new RateLimit(100, Duration.ofSeconds(1)));
        limiter.pause(Duration.ofMillis(700));
        assertThat(limiter.tryAcquire()).isGreaterThan(Duration.ofMillis(500));
        long start = System.nanoTime();
        limiter.acquire();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(450);
        // a shorter pause asked later does not cut the longer one short
        limiter.pause(Duration.ofSeconds(5));
        limiter.pause(Duration.ofMillis(10));
        assertThat(limiter.tryAcquire()).isGreaterThan(Duration.ofSeconds(4));
    }
}
