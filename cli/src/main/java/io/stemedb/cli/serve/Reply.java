package io.stemedb.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.json.Json;
import java.nio.charset.StandardCharsets;

/** What a route answers: a status, a media type, a body, and extra headers as name, value pairs. */
record Reply(int status, String contentType, byte[] body, String... headers) {
    static final String JSON_TYPE = "application/json; charset=utf-8";
    static final String TEXT_TYPE = "text/plain; charset=utf-8";

    static Reply json(int status, JsonNode node) {
        return new Reply(status, JSON_TYPE, Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    static Reply text(int status, String text) {
        return new Reply(status, TEXT_TYPE, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON error of the API: {@code {"error": {"status", "code", "message"}}}, with the exception's headers. */
    static Reply error(ApiException e) {
        ObjectNode o = Json.object();
        ObjectNode err = o.putObject("error");
        err.put("status", e.status());
        err.put("code", e.code());
        err.put("message", e.getMessage());
        Reply json = json(e.status(), o);
        return new Reply(json.status(), json.contentType(), json.body(), e.headers());
    }
}
