package io.gotomautic.bridge.gotoapi;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * GoTo's paged collections: the "reporting" ones ({@code page} from 0, {@code _embedded.<key>},
 * {@code page.totalPages}) and webinar registrants.
 */
final class Paging {

    /** GoTo's largest page. */
    static final int LIMIT = 200;

    private Paging() {
    }

    /** Every item of every page; {@code path} already carries its query and {@code size}. */
    static List<JsonNode> embedded(GoToClient client, String path, String key) {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode body = client.get(path + "&page=" + page);
            // an empty result may come without _embedded at all
            body.path("_embedded").path(key).forEach(all::add);
            if (page + 1 >= body.path("page").path("totalPages").asInt(0)) {
                return all;
            }
        }
    }

    /**
     * Every registrant of a webinar ({@code webinarPath}: its path), in the paged shape ({@code page}/{@code limit}
     * ≤ 200, {@code data} and {@code total}), or the plain array older accounts answer.
     */
    static List<JsonNode> registrants(GoToClient client, String webinarPath) {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode body = client.get(webinarPath + "/registrants?page=" + page + "&limit=" + LIMIT);
            JsonNode data = body.isArray() ? body : body.path("data");
            data.forEach(all::add);
            if (body.isArray() || data.size() < LIMIT || all.size() >= body.path("total").asLong(Long.MAX_VALUE)) {
                return all;
            }
        }
    }
}
