package io.stemedb.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read commands (get, resolve, history, entity, conflicts, find, sources, subjects, stats,
 * verify) on a fixed dataset, as tables and as JSON.
 */
class QueryCommandsTest {
    @TempDir
    static Path dir;

    static Cli cli;

    @BeforeAll
    static void load() {
        cli = Dataset.load(new Cli(dir.resolve("data")), dir);
    }

    private static void assertLine(String output, String regex) {
        assertTrue(Pattern.compile("(?m)^" + regex + "$").matcher(output).find(), "no line /" + regex + "/ in:\n" + output);
    }

    private static void assertNarrow(String output) {
        output.lines().forEach(l -> assertTrue(l.length() <= Table.WIDTH, "wider than " + Table.WIDTH + ": " + l));
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.isTextual() ? n.asText() : n.toString()));
        return l;
    }

    @Test
    void getShowsAClaimWithItsStatus() {
        String id = Dataset.INITECH_CEO.id().toString();
        String out = cli.run("get", id).ok().out();
        assertLine(out, "id +" + id);
        assertLine(out, "kind +claim");
        assertLine(out, "value +\"Bob\" \\(text\\)");
        assertLine(out, "confidence +0.3");
        assertLine(out, "status +retracted by web");
        assertLine(out, "retraction +" + Dataset.INITECH_CEO_RETRACTED.id());
        assertNarrow(out);

        JsonNode json = cli.json("get", id);
        assertEquals(Json.assertion(Dataset.INITECH_CEO).toString(), json.get("assertion").toString());
        assertEquals(Json.assertion(Dataset.INITECH_CEO_RETRACTED).toString(), json.get("retractions").get(0).toString());

        String r = cli.run("get", Dataset.INITECH_CEO_RETRACTED.id().toString()).ok().out();
        assertLine(r, "kind +retraction");
        assertLine(r, "retracts +" + id);
        assertLine(r, "meta reason +misread the page");
        assertEquals(0, cli.json("get", Dataset.ACME_CEO_HR.id().toString()).get("retractions").size());
        assertLine(cli.run("get", Dataset.ACME_CEO_HR.id().toString()).ok().out(), "valid +\\[2019-01-01, -\\)");
    }

    @Test
    void getOfAnUnknownOrMalformedId() {
        cli.run("get", "ab".repeat(32)).failure("there is no assertion with id " + "ab".repeat(32));
        cli.run("get", "abc").usageError("an assertion id is 64 hex digits, got 3");
        cli.run("get").usageError("Missing required parameter: 'ID'");
    }

    @Test
    void resolveUnderEachLens() {
        String latest = cli.run("resolve", "acme", "ceo").ok().out();
        assertLine(latest, "acme ceo = \"Bob\"");
        assertLine(latest, "lens: latest");
        assertLine(latest, "\"Bob\" +news +2023-03-10T09:00:00Z +\\[2023-03-01, -\\) +" + Dataset.ACME_CEO_NEWS.id().shortHex());
        assertNarrow(latest);

        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "trust(hr, crm)").ok().out(), "acme ceo = \"Alice\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "majority").ok().out(), "acme ceo = \"Bob\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "confident").ok().out(), "acme ceo = \"Alice\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "all").ok().out(), "acme ceo = \"Alice\", \"Bob\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "latest.asOf(2023-02-01)").ok().out(), "acme ceo = \"Alice\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "latest.validAt(2020-01-01)").ok().out(), "acme ceo = \"Bob\"");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "trustOnly(web).orElse(latest.onlySources(hr))").ok().out(),
                "acme ceo = \"Alice\"");
        // --as-of reads the database as it was
        String asOf = cli.run("resolve", "acme", "ceo", "--as-of", "2023-02-01").ok().out();
        assertLine(asOf, "acme ceo = \"Alice\"");
        assertLine(asOf, "lens: latest, database as of 2023-02-01T00:00:00Z");
    }

    @Test
    void resolveExplains() {
        String out = cli.run("resolve", "acme", "ceo", "--lens", "trust(hr).validAt(2023-01-01)", "--explain").ok().out();
        assertLine(out, "acme ceo = \"Alice\"");
        assertLine(out, "STATUS +VALUE +SOURCE +RECORDED +CONFIDENCE +VALID +ID");
        assertLine(out, "winner +\"Alice\" +hr .*");
        assertLine(out, "overruled +\"Bob\" +crm .*");
        assertLine(out, "set aside +\"Bob\" +news .*");
        assertTrue(out.contains("why: trust[hr].validAt(2023-01-01T00:00:00Z): hr said \"Alice\""), out);
        assertTrue(out.replaceAll("\\s+", " ").contains("set aside (not validAt(2023-01-01T00:00:00Z)): news said \"Bob\""), out);
        assertNarrow(out);

        String retracted = cli.run("resolve", "initech", "ceo", "--explain").ok().out();
        assertLine(retracted, "initech ceo = \\(no value: every claim is retracted\\)");
        assertLine(retracted, "retracted by web +\"Bob\" +web .*");
        assertLine(cli.run("resolve", "nobody", "ceo").ok().out(), "nobody ceo = \\(no value: no claims\\)");
        assertLine(cli.run("resolve", "acme", "ceo", "--lens", "trustOnly(web)").ok().out(),
                "acme ceo = \\(no value: no claim qualified under this lens\\)");
    }

    @Test
    void resolveAsJsonCarriesTheWholeEvidence() {
        JsonNode r = cli.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm)");
        assertEquals("acme", r.get("subject").asText());
        assertEquals("trust[hr > crm]", r.get("lens").asText());
        assertEquals("trust(hr, crm)", r.get("expression").asText());
        assertEquals("[{\"type\":\"text\",\"value\":\"Alice\"}]", r.get("values").toString());
        assertEquals(Json.assertion(Dataset.ACME_CEO_HR).toString(), r.get("winners").get(0).toString());
        assertEquals(2, r.get("overruled").size());
        assertEquals(0, r.get("setAside").size());
        assertTrue(r.get("explain").asText().startsWith("trust[hr > crm]: hr said \"Alice\""), r.toString());

        JsonNode gone = cli.json("resolve", "initech", "ceo");
        assertEquals(0, gone.get("values").size());
        assertEquals(Json.assertion(Dataset.INITECH_CEO).toString(), gone.get("retracted").get(0).get("claim").toString());
        assertEquals(Json.assertion(Dataset.INITECH_CEO_RETRACTED).toString(), gone.get("retracted").get(0).get("retractions").get(0).toString());
        assertEquals("2023-02-01T00:00:00Z", cli.json("resolve", "acme", "ceo", "--as-of", "2023-02-01").get("asOf").asText());
    }

    @Test
    void theLensANameNamesCanBePastedBackAsAnExpression() {
        JsonNode first = cli.json("resolve", "acme", "ceo", "--lens", "trust(hr, crm).validAt(2023-03-20)");
        String name = first.get("lens").asText();
        assertEquals("trust[hr > crm].validAt(2023-03-20T00:00:00Z)", name);
        JsonNode again = cli.json("resolve", "acme", "ceo", "--lens", name);
        assertEquals(name, again.get("expression").asText());
        assertEquals(first.get("values"), again.get("values"));
        assertEquals(first.get("explain"), again.get("explain"));
    }

    @Test
    void entityAndFindReadTheDatabaseAsOfATimeLikeResolve() {
        JsonNode early = cli.json("entity", "acme", "--as-of", "2023-02-01");
        assertEquals(cli.json("resolve", "acme", "ceo", "--as-of", "2023-02-01").get("values"),
                early.get("predicates").get("ceo").get("values"));
        String ceo = early.get("predicates").get("ceo").get("values").get(0).get("value").asText();
        assertEquals(List.of("acme"), texts(cli.json("find", "ceo", ceo, "--as-of", "2023-02-01").get("subjects")));
        cli.run("entity", "acme", "--as-of", "yesterday").usageError("'yesterday' is not a time");
        cli.run("find", "ceo", "Bob", "--as-of", "yesterday").usageError("'yesterday' is not a time");
    }

    @Test
    void aBadLensIsAUsageErrorThatPointsAtTheColumn() {
        cli.run("resolve", "acme", "ceo", "--lens", "trust(hr, crm").usageError(
                "Invalid value for option '--lens': expected ',' or ')' after 'crm' but the expression ended "
                        + "(column 14 of \"trust(hr, crm\")");
        cli.run("resolve", "acme", "ceo", "--lens", "lates").usageError("unknown lens 'lates' (did you mean latest?)");
        cli.run("entity", "acme", "--lens", "quorum(0)").usageError("column 8");
        cli.run("find", "ceo", "Bob", "--lens", "latest.asOf(soon)").usageError("asOf needs a time");
        cli.run("resolve", "acme", "ceo", "--as-of", "yesterday").usageError("'yesterday' is not a time");
        cli.run("resolve", "acme").usageError("Missing required parameter: 'PREDICATE'");
    }

    @Test
    void historyListsEveryClaim() {
        String out = cli.run("history", "initech", "ceo").ok().out();
        assertLine(out, "RECORDED +SOURCE +VALUE +CONFIDENCE +VALID +STATUS +ID");
        assertLine(out, "2023-05-01T09:00:00Z +web +\"Bob\" +0.3 +retracted by web +" + Dataset.INITECH_CEO.id().shortHex());
        String acme = cli.run("history", "acme", "ceo").ok().out();
        assertEquals(4, acme.lines().count(), acme);
        assertLine(acme, "2023-01-10T09:00:00Z +hr +\"Alice\" +0.9 +\\[2019-01-01, -\\) +live +.*");

        JsonNode h = cli.json("history", "initech", "ceo");
        assertEquals(Json.assertion(Dataset.INITECH_CEO).toString(), h.get("claims").get(0).toString());
        assertEquals(Json.assertion(Dataset.INITECH_CEO_RETRACTED).toString(), h.get("retractions").get(0).toString());
        assertEquals(2, cli.json("history", "acme", "ceo", "--as-of", "2023-02-20").get("claims").size());
        assertLine(cli.run("history", "acme", "nothing").ok().out(), "no claims about acme nothing");
    }

    @Test
    void entityResolvesEveryPredicate() {
        String out = cli.run("entity", "initech").ok().out();
        assertLine(out, "PREDICATE +VALUE +SOURCE +RECORDED +ID");
        assertLine(out, "logo +0x0a0b +web +.*");
        assertLine(out, "parent +->globex +registry +.*");
        assertLine(out, "revenue +1500000.0 +crm +.*");
        assertFalse(out.contains("ceo"), "every claim of initech.ceo is retracted: left out\n" + out);

        String all = cli.run("entity", "acme", "--lens", "all").ok().out();
        assertLine(all, "ceo +\"Alice\" +hr .*");
        assertLine(all, " +\"Bob\" +crm .*");

        JsonNode e = cli.json("entity", "acme", "--lens", "trust(hr)");
        assertEquals("[{\"type\":\"text\",\"value\":\"Alice\"}]", e.get("predicates").get("ceo").get("values").toString());
        assertEquals("[{\"type\":\"integer\",\"value\":1200}]", e.get("predicates").get("employees").get("values").toString());
        assertEquals("trust(hr)", e.get("expression").asText());
        assertLine(cli.run("entity", "nobody").ok().out(), "nothing known about nobody under latest");
    }

    @Test
    void conflictsOfASubjectAndOfTheWholeDatabase() {
        String out = cli.run("conflicts", "acme").ok().out();
        assertLine(out, "SUBJECT +PREDICATE +VALUE +SOURCES");
        assertLine(out, "acme +ceo +\"Alice\" +hr");
        assertLine(out, " +\"Bob\" +crm, news");
        assertLine(out, "acme +employees +1200 +hr");
        assertLine(cli.run("conflicts", "globex").ok().out(), "no conflicts about globex");

        JsonNode all = cli.json("conflicts");
        assertEquals(2, all.get("conflicts").size());
        assertTrue(all.get("next").isNull(), all.toString());
        JsonNode first = all.get("conflicts").get(0);
        assertEquals("ceo", first.get("predicate").asText());
        assertEquals(3, first.get("claims").size());

        // paging: a page holds whole subjects, and says where to go on
        JsonNode page = cli.json("conflicts", "--limit", "1");
        assertEquals(2, page.get("conflicts").size(), "a subject's conflicts come whole");
        String more = cli.run("conflicts", "--limit", "1").ok().out();
        if (!page.get("next").isNull()) {
            assertTrue(more.contains("more: stemedb conflicts --after '" + page.get("next").asText() + "' --limit 1"), more);
            assertEquals(0, cli.json("conflicts", "--after", page.get("next").asText()).get("conflicts").size());
        }
        cli.run("conflicts", "acme", "--limit", "3").usageError("leave them out when you give a SUBJECT");
        cli.run("conflicts", "--limit", "0").usageError("--limit must be at least 1");
        cli.run("conflicts", "--limit", "many").usageError("Invalid value for option '--limit'");
    }

    @Test
    void findResolvesBeforeMatching() {
        assertEquals(List.of("acme"), texts(cli.json("find", "ceo", "Bob").get("subjects")));
        assertEquals(List.of(), texts(cli.json("find", "ceo", "Bob", "--lens", "trust(hr)").get("subjects")));
        assertEquals(List.of("acme"), texts(cli.json("find", "ceo", "Alice", "--lens", "trust(hr)").get("subjects")));
        assertEquals(List.of("acme"), texts(cli.json("find", "employees", "1500", "--type", "integer").get("subjects")));
        assertEquals(List.of("globex"), texts(cli.json("find", "public", "true", "--type", "bool").get("subjects")));
        assertEquals(List.of("initech"), texts(cli.json("find", "parent", "globex", "--type", "ref").get("subjects")));
        assertEquals(List.of("initech"), texts(cli.json("find", "logo", "0x0A0b", "--type", "bytes").get("subjects")));
        assertEquals(List.of("initech"), texts(cli.json("find", "revenue", "1.5e6", "--type", "real").get("subjects")));
        assertEquals(List.of("globex"), texts(cli.json("find", "founded", "2001-06-12", "--type", "instant").get("subjects")));
        assertEquals(List.of(), texts(cli.json("find", "ceo", "Bob", "--as-of", "2023-02-01").get("subjects")));
        JsonNode f = cli.json("find", "employees", "1500", "--type", "integer");
        assertEquals("{\"type\":\"integer\",\"value\":1500}", f.get("value").toString());

        String table = cli.run("find", "ceo", "Bob").ok().out();
        assertEquals("SUBJECT\nacme\n", table.replace("\r", ""));
        assertLine(cli.run("find", "ceo", "Zed").ok().out(), "no subject has ceo = \"Zed\" under latest");
        cli.run("find", "employees", "lots", "--type", "integer").usageError("VALUE 'lots' is not an integer");
        cli.run("find", "public", "yes", "--type", "bool").usageError("VALUE 'yes' is not a bool");
        cli.run("find", "logo", "xyz", "--type", "bytes").usageError("VALUE 'xyz' is not bytes in hex");
        cli.run("find", "ceo", "Bob", "--type", "colour").usageError("'colour' is not a value type");
    }

    @Test
    void longValuesAreCutInTablesButWholeInJson() {
        Cli wide = new Cli(dir.resolve("wide"));
        wide.run("init").ok();
        String text = "x".repeat(300);
        wide.run("assert", "s", "p", text, "--source", "a-rather-long-source-name", "--valid-from", "2023-01-01T10:11:12.345Z",
                "--valid-to", "2024-01-01T10:11:12.345Z").ok();
        for (String[] c : new String[][] {{"history", "s", "p"}, {"resolve", "s", "p"}, {"resolve", "s", "p", "--explain"},
            {"entity", "s"}}) {
            String out = wide.run(c[0], java.util.Arrays.copyOfRange(c, 1, c.length)).ok().out();
            assertNarrow(out);
            assertTrue(out.contains("\"xxxx"), out);
            assertTrue(out.contains("..."), out);
        }
        assertTrue(wide.run("entity", "s").ok().out().contains("a-rather-long-source-name"), "the value is cut first");
        assertTrue(wide.run("resolve", "s", "p", "--json").ok().out().contains(text));
    }

    @Test
    void sourcesAreCounted() {
        String out = cli.run("sources").ok().out();
        assertLine(out, "SOURCE +CLAIMS +RETRACTIONS +FIRST +LAST");
        assertLine(out, "crm +4 +0 +2023-01-15T09:00:00Z +2023-05-03T09:00:00Z");
        assertLine(out, "web +2 +1 +2023-05-01T09:00:00Z +2023-05-04T09:00:00Z");
        JsonNode s = cli.json("sources");
        List<String> names = new ArrayList<>();
        s.get("sources").forEach(x -> names.add(x.get("source").asText()));
        assertEquals(List.of("crm", "hr", "news", "registry", "web"), names);
        assertEquals(1, s.get("sources").get(4).get("retractions").asInt());
    }

    @Test
    void subjectsPage() {
        assertEquals("SUBJECT\nacme\nglobex\ninitech\n", cli.run("subjects").ok().out().replace("\r", ""));
        JsonNode first = cli.json("subjects", "--limit", "2");
        assertEquals(List.of("acme", "globex"), texts(first.get("subjects")));
        assertEquals("globex", first.get("next").asText());
        assertTrue(cli.run("subjects", "--limit", "2").ok().out().contains("more: stemedb subjects --after 'globex' --limit 2"));
        JsonNode second = cli.json("subjects", "--limit", "2", "--after", "globex");
        assertEquals(List.of("initech"), texts(second.get("subjects")));
        assertTrue(second.get("next").isNull());
        assertLine(cli.run("subjects", "--after", "initech").ok().out(), "no subjects after initech");
        cli.run("subjects", "--limit", "-1").usageError("--limit must be at least 1");
    }

    @Test
    void statsAndVerify() {
        String out = cli.run("stats").ok().out();
        assertLine(out, "assertions +13");
        assertLine(out, "claims +12");
        assertLine(out, "retractions +1");
        assertLine(out, "node id +\\p{XDigit}{16}");
        assertLine(out, "engine +rocksdb .*");
        assertNarrow(out);
        JsonNode s = cli.json("stats");
        assertEquals(13, s.get("assertions").asInt());
        assertTrue(s.get("engineProperties").has("total-sst-files-size"), s.toString());

        assertLine(cli.run("verify").ok().out(), "ok: checked 13 assertions and \\d+ index entries; no problem found");
        JsonNode v = cli.json("verify");
        assertTrue(v.get("ok").asBoolean());
        assertEquals(13, v.get("assertionsChecked").asInt());
        assertEquals(0, v.get("problems").size());
    }
}
