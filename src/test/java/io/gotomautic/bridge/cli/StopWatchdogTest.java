package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop that hangs still ends the process: a JVM whose shutdown hook never returns is halted by the watchdog, with
 * the SIGTERM status, after printing every thread's stack, the hung hook's among them.
 */
class StopWatchdogTest {

    /** A process whose stop hangs in its shutdown hook, as the bridge's would if closing blocked. */
    public static final class HangingStop {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                StopWatchdog.watch(Duration.ofSeconds(1));
                hangForever();
            }, "bridge-shutdown"));
            System.out.println("running");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }

        private static void hangForever() {
            Object never = new Object();
            synchronized (never) {
                try {
                    never.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void aStopThatHangsIsHaltedWithEveryThreadsStack(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HangingStop.class.getName())
                .redirectError(err.toFile()).start();
        try {
            // started: its hook is in place
            assertThat(new String(p.getInputStream().readNBytes("running".length()))).isEqualTo("running");
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("halted").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(Files.readString(err)).contains("goto-mautic-bridge: not ended 1 s after the stop began; halting.")
                .contains("\"bridge-shutdown\" WAITING").contains(HangingStop.class.getName() + ".hangForever(");
    }
}
