package io.gotomautic.bridge.ops;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The body of GET /health: every Camel health check (routes, consumers, the database, the Mautic and GoTo parts) in
 * one JSON document, with 200 when all are UP and 503 otherwise, the way load balancers and Docker's HEALTHCHECK read it.
 * The body it leaves is the document as a Map: the route's {@code marshal: json} writes it.
 */
public class HealthReport {

    public void respond(Exchange exchange) {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(exchange.getContext(), "full");
        boolean up = !results.isEmpty() && results.stream().allMatch(r -> r.getState() == HealthCheck.State.UP);
        Map<String, Object> checks = new LinkedHashMap<>();
        for (HealthCheck.Result r : results) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("status", r.getState().name());
            r.getMessage().ifPresent(m -> check.put("message", m));
            if (r.getCheck() instanceof PartHealthCheck) {
                r.getDetails().entrySet().stream().filter(d -> PartHealthCheck.shown(d.getKey())).sorted(Map.Entry.comparingByKey())
                        .forEach(d -> check.put(d.getKey(), d.getValue()));
            }
            checks.put(r.getCheck().getId(), check);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        exchange.getMessage().setBody(body);
    }
}
