package io.stemedb.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.StemeDB;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Erasures in the JSON shape: every scope reads back as written, bad scopes are refused by name, and exports round-trip. */
class ErasureJsonTest {
    private static final AssertionId A = AssertionId.fromBytes(new byte[32]);

    @Test
    void everyScopeReadsBackAsWritten() {
        for (Erasure.Scope scope : List.of(Erasure.Scope.ids(List.of(A)), Erasure.Scope.subject("person:42"),
                Erasure.Scope.fact("person:42", "email"), Erasure.Scope.bySourceAbout("crm", "person:42"))) {
            Erasure e = Erasure.of(scope, "dpo", Hlc.of(1_700_000_000_000L, 3, 0xff), "request 42", Map.of("ticket", "PRIV-9"));
            String line = JsonLines.toLine(e);
            assertEquals(e, JsonLines.parse(line), line);
            JsonNode tree = Json.assertion(e);
            assertEquals("request 42", tree.get("reason").asText());
            assertEquals(scope, Json.erasureScope(tree.get("erases")));
        }
    }

    @Test
    void aBadScopeIsRefusedSayingWhatIsWrong() {
        String[][] cases = {
            {"{\"scope\":\"everything\"}", "must be one of ids, subject, fact, source-subject"},
            {"{\"scope\":\"subject\"}", "\"erases.subject\" must be a string"},
            {"{\"scope\":\"subject\",\"subject\":\"s\",\"predicate\":\"p\"}", "unknown field \"erases.predicate\""},
            {"{\"scope\":\"ids\",\"ids\":[]}", "lists no claim id"},
            {"{\"scope\":\"ids\",\"ids\":[\"xyz\"]}", "64 hex digits"},
            {"[]", "must be an object"},
        };
        for (String[] c : cases) {
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(c[0]);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            RuntimeException e = assertThrows(RuntimeException.class, () -> Json.erasureScope(node), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
        JsonLines.LineException line = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(
                "{\"hlc\":{\"physical\":1,\"logical\":0,\"node\":\"1\"},\"source\":\"dpo\",\"erases\":{\"scope\":\"subject\",\"subject\":\"s\"}}"));
        assertTrue(line.getMessage().contains("\"reason\" is missing"), line.getMessage());
    }

    @Test
    void anExportHoldsTheErasureAndNotTheErasedClaims() throws Exception {
        try (StemeDB db = StemeDB.inMemory(); StemeDB copy = StemeDB.inMemory()) {
            AssertionId claim = db.assertion("person:42", "email", Value.text("ada@example.org")).source("crm").commit();
            db.erase(Erasure.Scope.subject("person:42")).source("dpo").reason("request 42").commit();
            StringWriter out = new StringWriter();
            JsonLines.exportTo(db, out, JsonLines.ExportOptions.all());

            assertFalse(out.toString().contains("ada@example.org"), out.toString());
            assertTrue(out.toString().contains("\"erases\""), out.toString());
            copy.assertion("person:0", "email", Value.text("kept")).source("crm").commit();
            copy.merge(List.of(JsonLines.parse(out.toString().strip())));
            assertEquals(1, copy.erasureCounts().erasures());
            assertTrue(copy.get(claim).isEmpty());
        }
    }
}
