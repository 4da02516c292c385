package io.gotomautic.bridge.gotoapi;

import com.fasterxml.jackson.databind.JsonNode;

/** GoTo's answers as the pull routes hand them on (Maps and Lists, from the {@code goto:} endpoints), read as JSON again. */
final class GoToJson {

    private GoToJson() {
    }

    static JsonNode tree(Object body) {
        return body instanceof JsonNode node ? node : GoToClient.JSON.valueToTree(body);
    }
}
