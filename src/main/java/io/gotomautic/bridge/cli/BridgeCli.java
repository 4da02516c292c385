package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.store.DatabaseUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar goto-mautic-bridge.jar [run | status | help]}. */
@Command(name = "goto-mautic-bridge", mixinStandardHelpOptions = true, versionProvider = BridgeCli.Version.class,
        description = {
            "Connects Mautic with GoToWebinar, GoToTraining, GoToMeeting and GoToAssist.",
            "Reads application.properties and routes/ from the working directory. Every key can be overridden "
                + "by an environment variable (goto.rate-limit -> GOTO_RATE_LIMIT) or by -Dkey=value.",
            "Without a command, runs the service."},
        subcommands = {RunCommand.class, StatusCommand.class, CommandLine.HelpCommand.class})
public class BridgeCli implements Callable<Integer> {

    static final int CONFIGURATION_ERROR = 2;
    static final int UNAVAILABLE = 1;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BridgeCli());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof SettingsException) {
                err.println("goto-mautic-bridge: configuration error: " + e.getMessage());
                return CONFIGURATION_ERROR;
            }
            if (e instanceof DatabaseUnavailableException) {
                err.println("goto-mautic-bridge: " + e.getMessage());
                return UNAVAILABLE;
            }
            err.println("goto-mautic-bridge: could not start: " + e + " (details in the log above)");
            org.slf4j.LoggerFactory.getLogger(BridgeCli.class).debug("start-up failure", e);
            return UNAVAILABLE;
        });
        return cli;
    }

    /** No command: run the service. */
    @Override
    public Integer call() throws Exception {
        return new RunCommand().call();
    }

    static Settings settings() {
        return Settings.load(Path.of(""));
    }

    /** Runs the service until Ctrl-C or SIGTERM. */
    static int runUntilStopped(Settings settings) throws Exception {
        Bridge bridge = Bridge.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(bridge::close, "bridge-shutdown"));
        bridge.awaitStop();
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BridgeCli.class.getPackage().getImplementationVersion();
            return new String[] {"goto-mautic-bridge " + (v == null ? "(development build)" : v)};
        }
    }
}
