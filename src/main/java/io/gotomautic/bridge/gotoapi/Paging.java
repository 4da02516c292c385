package io.gotomautic.bridge.gotoapi;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** GoTo's "reporting" collections: {@code page} from 0, {@code _embedded.<key>}, {@code page.totalPages}. */
final class Paging {

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
}
