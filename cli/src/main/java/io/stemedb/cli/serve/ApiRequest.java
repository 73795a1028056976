package io.stemedb.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.model.TextInput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A request as the API's handlers see it, whatever server read it: its query parameters (decoded
 * as strict UTF-8), its body (already read, within the size limit) and its caller (null when the
 * route is open or authentication is off).
 */
final class ApiRequest {
    final Map<String, String> query;
    private final byte[] body;
    final ApiAuth.Principal principal;

    ApiRequest(Map<String, String> query, byte[] body, ApiAuth.Principal principal) {
        this.query = query;
        this.body = body;
        this.principal = principal;
    }

    /** Refuses parameters the route does not know, so that a typo is an error rather than ignored. */
    void allow(String... names) {
        Set<String> known = Set.of(names);
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown_parameter", "unknown query parameter \"" + TextInput.excerpt(name)
                        + "\"; " + (names.length == 0 ? "this endpoint takes none" : "this endpoint takes " + String.join(", ", names)));
            }
        }
    }

    String required(String name) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            throw ApiException.badRequest("missing_parameter", "the query parameter \"" + name + "\" is required");
        }
        return v;
    }

    /** An optional parameter: null when absent or empty. */
    String optional(String name) {
        String v = query.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code asOf=}: the record time to read the database as of, or null for now. */
    Instant asOf() {
        String v = optional("asOf");
        if (v == null) {
            return null;
        }
        try {
            return TextInput.instant(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_parameter", "asOf: " + e.getMessage());
        }
    }

    /** {@code limit=}: a whole number from 1 to {@code max}, {@code byDefault} when absent. */
    int limit(int byDefault, int max) {
        String l = query.get("limit");
        if (l == null) {
            return byDefault;
        }
        int limit;
        try {
            limit = Integer.parseInt(l);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > max) {
            throw ApiException.badRequest("invalid_parameter", "limit must be a whole number between 1 and " + max
                    + ", got " + TextInput.excerpt(l));
        }
        return limit;
    }

    /** The body as one JSON document. */
    JsonNode json() {
        return RequestBodies.parse(body);
    }

    /**
     * The query parameters of a raw query string, percent-decoded as strict UTF-8 (an overlong
     * form or a stray byte is an error, never a replacement character); a parameter given twice
     * is an error.
     */
    static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.put(name, value) != null) {
                throw ApiException.badRequest("duplicate_parameter", "the query parameter \"" + TextInput.excerpt(name)
                        + "\" is given twice");
            }
        }
        return params;
    }

    private static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw ApiException.badRequest("invalid_query", "the query string has a '%' not followed by two hex "
                            + "digits; percent-encode it as %25");
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                throw ApiException.badRequest("invalid_query", "the query string has a character that is not "
                        + "percent-encoded; percent-encode its UTF-8 bytes (%C3%A9 for é)");
            }
        }
        return utf8(bytes.toByteArray(), "a query parameter");
    }

    /**
     * Decodes strict UTF-8: overlong forms ({@code c0 af} for '/'), encoded surrogates and cut
     * sequences are refused with 400 rather than read as something else.
     */
    static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("invalid_utf8", what + " is not valid UTF-8 (overlong forms, encoded surrogates "
                    + "and cut sequences are refused); send UTF-8 text");
        }
    }
}
