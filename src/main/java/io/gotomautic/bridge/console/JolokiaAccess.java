package io.gotomautic.bridge.console;

import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Jolokia ({@code camel.management.jolokia-enabled}, on the bridge's own HTTP server) answers only to the admin
 * credentials: it reaches every MBean, the routes' stop operations among them. The check is put in the server's
 * configuration before the server is built, so it is the path's first handler from the first request on. A request
 * a browser makes for another site's page (Sec-Fetch-Site) is refused even with the credentials, which the browser
 * may have kept from a visit to the console; Hawtio reaches Jolokia from its own server, not from a page.
 */
public final class JolokiaAccess extends MainListenerSupport {

    /** camel.management.jolokia-path's default, which the README and Hawtio's connection name */
    public static final String PATH = "/observe/jolokia";

    private final AdminCredentials admin;

    public JolokiaAccess(AdminCredentials admin) {
        this.admin = admin;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        MainHttpServer server = main.getCamelContext().hasService(MainHttpServer.class);
        if (server == null) {
            return;
        }
        AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
        entry.setPath(PATH + "*");
        // the credentials are checked here, not by a Vert.x provider
        entry.setAuthenticationProviderFactory(vertx -> null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T provider) {
                return JolokiaAccess.this::guard;
            }
        });
        AuthenticationConfig config = server.getConfiguration().getAuthenticationConfig();
        config.getEntries().add(entry);
        config.setEnabled(true);
    }

    private void guard(RoutingContext ctx) {
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        if (!admin.set()) {
            refuse(ctx, 404, "Jolokia is off: bridge.admin.username and bridge.admin.password are empty");
        } else if ("cross-site".equalsIgnoreCase(site) || "same-site".equalsIgnoreCase(site)) {
            refuse(ctx, 403, "Jolokia answers no request another site's page makes");
        } else if (!admin.accept(ctx.request().getHeader("Authorization"))) {
            ctx.response().putHeader("WWW-Authenticate", AdminCredentials.CHALLENGE);
            refuse(ctx, 401, "Jolokia needs bridge.admin.username and bridge.admin.password");
        } else {
            ctx.next();
        }
    }

    private static void refuse(RoutingContext ctx, int status, String why) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end("{\"error\":\"" + why + "\"}");
    }
}
