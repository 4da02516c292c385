package io.gotomautic.bridge.cli;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Ends the process when a stop hangs. SIGTERM must end the service (an orchestrator would kill it anyway, losing
 * the reason): if the JVM still runs {@code limit} after the stop began, stderr gets every thread's stack, which
 * says what held it, and the process halts. Everything the service keeps is in PostgreSQL and crash-safe, so a halt
 * at that point loses nothing.
 */
final class StopWatchdog {

    /** The exit status of a JVM ended by SIGTERM. */
    private static final int SIGTERM_STATUS = 143;

    private StopWatchdog() {
    }

    /** Called as the stop begins, from the shutdown hook. */
    static void watch(Duration limit) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            // to stderr: the logging system may have stopped with the other shutdown hooks
            System.err.println("goto-mautic-bridge: not ended " + limit.toSeconds() + " s after the stop began; halting."
                    + " Its threads:\n" + stacks());
            Runtime.getRuntime().halt(SIGTERM_STATUS);
        }, "bridge-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static String stacks() {
        return Thread.getAllStackTraces().entrySet().stream()
                .map(StopWatchdog::describe)
                .collect(Collectors.joining("\n"));
    }

    private static String describe(Map.Entry<Thread, StackTraceElement[]> t) {
        StringBuilder b = new StringBuilder("\"" + t.getKey().getName() + "\"" + (t.getKey().isDaemon() ? " daemon" : "") + " "
                + t.getKey().getState());
        // class, method, file and line, without the module and its version (java.base@17…), which reads like an address
        for (StackTraceElement frame : t.getValue()) {
            b.append("\n    at ").append(frame.getClassName()).append('.').append(frame.getMethodName()).append('(')
                    .append(frame.getFileName()).append(':').append(frame.getLineNumber()).append(')');
        }
        return b.toString();
    }
}
