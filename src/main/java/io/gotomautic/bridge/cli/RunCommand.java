package io.gotomautic.bridge.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the service: webhooks, polling, health and metrics on bridge.http.port (the default command).")
class RunCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return BridgeCli.runUntilStopped(BridgeCli.settings());
    }
}
