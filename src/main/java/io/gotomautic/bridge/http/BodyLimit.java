package io.gotomautic.bridge.http;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request body over {@code camel.server.max-body-size} is refused by Vert.x before any route sees it. Left alone,
 * Vert.x answers 413 and logs an ERROR "Unhandled exception in router" that names nothing; here it is one WARN line
 * saying what was refused, and a JSON answer like the routes' own.
 */
public final class BodyLimit {

    private static final Logger LOG = LoggerFactory.getLogger(BodyLimit.class);

    private BodyLimit() {
    }

    /** On the inbound HTTP server of {@code port}; nothing when that server is not running. */
    public static void install(CamelContext camel, int port) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return;
        }
        String limit = camel.resolvePropertyPlaceholders("{{camel.server.max-body-size:?}}");
        router.route().failureHandler(ctx -> {
            if (ctx.statusCode() != 413) {
                ctx.next();
                return;
            }
            LOG.warn("Refused {} {}: the body is larger than camel.server.max-body-size ({} bytes)", ctx.request().method(),
                    ctx.request().path(), limit);
            if (!ctx.response().ended()) {
                ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"the body is larger than " + limit + " bytes; nothing was stored\"}");
            }
        });
    }
}
