package io.gotomautic.bridge.mautic;

import java.util.Map;
import java.util.stream.Collectors;

import io.gotomautic.bridge.config.SettingsException;
import org.apache.camel.CamelContext;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With reload on ({@code camel.main.routes-reload-enabled}), a {@code *.properties} file of the routes folder saved,
 * added or removed applies the {@link ContactMapping} again, as Camel's own watcher reloads the route files beside it.
 * A file that does not parse is logged with what to mend and the mapping stays as it was.
 */
public class MappingReload extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(MappingReload.class);

    private final ContactMapping mapping;
    private final CamelContext camel;
    private FileWatcherResourceReloadStrategy watcher;

    public MappingReload(ContactMapping mapping, CamelContext camel) {
        this.mapping = mapping;
        this.camel = camel;
    }

    @Override
    protected void doStart() throws Exception {
        // a watcher of its own, not a service of the context: Camel looks its route watcher up by type
        watcher = new FileWatcherResourceReloadStrategy(mapping.routes().toString());
        watcher.setFileFilter(f -> f.getName().endsWith(".properties"));
        watcher.setResourceReload((name, resource) -> apply(name));
        watcher.setCamelContext(camel);
        watcher.start();
    }

    void apply(String file) {
        try {
            Map<String, String> sources = mapping.reload();
            LOG.info("Mapping applied after {} changed: {}", file, sources.isEmpty() ? "no bridge.mautic.map.* keys"
                    : sources.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining(", ")));
        } catch (SettingsException e) {
            LOG.warn("Mapping not applied after {} changed, the previous one stays: {}", file, e.getMessage());
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (watcher != null) {
            watcher.stop();
        }
    }
}
