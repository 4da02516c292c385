package io.gotomautic.bridge.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the service: webhooks, polling, health and metrics on bridge.http.port (the default command).")
class RunCommand implements Callable<Integer> {

    @Option(names = "--sandbox", description = "Run against simulators of GoTo and Mautic seeded with demo data.")
    boolean sandbox;

    @Override
    public Integer call() throws Exception {
        return BridgeCli.run(sandbox);
    }
}
