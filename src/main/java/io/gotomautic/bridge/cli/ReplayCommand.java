package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.DeadLetters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Put dead letters (shown by status) back in their queue, to be tried again by the running service.")
class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--id", paramLabel = "N", description = "Only the dead letter with this number (status shows them as #N).")
    Long id;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        try (Database db = Database.attach(BridgeCli.settings())) {
            List<Long> replayed = new DeadLetters(db.dataSource()).replay(id);
            if (id != null && replayed.isEmpty()) {
                spec.commandLine().getErr().println("goto-mautic-bridge: no open dead letter #" + id);
                return 1;
            }
            out.println("replayed " + replayed.size() + " dead letter(s)" + (replayed.isEmpty() ? "" : ": #"
                    + String.join(", #", replayed.stream().map(String::valueOf).toList())));
            out.flush();
            return 0;
        }
    }
}
