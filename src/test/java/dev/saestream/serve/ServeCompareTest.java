package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.label.Label;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Versioned catalogues on the API ({@link ComparedCatalogues}): compare pairs every feature of A
 * with its twin in B at cosine 1 with both labels, and matches A with an independent SAE as
 * {@code FeatureMatching} does; a feature page links to its twin; the SAE list says who labelled
 * each catalogue and when it was built.
 */
class ServeCompareTest {
    static final int WIDTH = ComparedCatalogues.WIDTH;
    static ComparedCatalogues served;
    static Sae a;
    static Sae b;
    static Sae other;
    static List<Integer> perm;
    static Map<String, Label> labels;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        served = ComparedCatalogues.start();
        a = served.a;
        b = served.b;
        other = served.other;
        perm = served.perm;
        labels = served.labels;
    }

    @AfterAll
    static void stop() {
        if (served != null) {
            served.close();
        }
    }

    @Test
    void comparePairsEveryFeatureWithItsTwinAtCosineOneWithBothLabels() throws Exception {
        // when all pairs are asked for, a page at a time
        List<JsonNode> pairs = new ArrayList<>();
        JsonNode first = null;
        for (int offset = 0; offset < WIDTH; offset += 20) {
            Response r = get("/api/compare?a=" + enc(a.id()) + "&b=" + enc(b.id()) + "&offset=" + offset + "&limit=20");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = r.json();
            first = first == null ? page : first;
            assertThat(page.get("pairs").get("total").asInt()).isEqualTo(WIDTH);
            page.get("pairs").get("items").forEach(pairs::add);
        }
        // then every feature of A meets its twin, cosine 1, each side with its own label and score
        assertThat(pairs).hasSize(WIDTH);
        assertThat(pairs.stream()
                        .map(p -> p.get("a").get("index").asInt())
                        .distinct()
                        .count())
                .isEqualTo(WIDTH);
        for (JsonNode p : pairs) {
            int i = p.get("a").get("index").asInt();
            assertThat(p.get("b").get("index").asInt()).as("twin of %d", i).isEqualTo(perm.get(i));
            assertThat(p.get("cosine").asDouble()).isCloseTo(1.0, within(1e-5));
            assertThat(p.get("a").get("explanation").asText())
                    .isEqualTo(labels.get(a.id() + "/" + i).explanation());
            assertThat(p.get("b").get("explanation").asText())
                    .isEqualTo(labels.get(b.id() + "/" + perm.get(i)).explanation());
            assertThat(p.get("a").get("score").get("value").asDouble())
                    .isEqualTo(labels.get(a.id() + "/" + i)
                            .scores()
                            .get("embedding")
                            .value());
        }
        assertThat(first.get("unmatchedA").get("total").asInt()).isZero();
        assertThat(first.get("unmatchedB").get("items")).isEmpty();
        assertThat(first.get("bestCosines").get("q1").asDouble()).isCloseTo(1.0, within(1e-5));
        assertThat(first.get("bestCosines").get("atLeast09").asDouble()).isEqualTo(1.0);
    }

    @Test
    void compareOfIndependentSaesListsTheUnmatchedAsTheMatchingDoes() {
        // given the matching computed here on its own
        FeatureMatching.Result expected = FeatureMatching.match(a, other, KnownSaes.MATCH_CANDIDATES, 1);
        // when
        JsonNode c = get("/api/compare?a=" + enc(a.id()) + "&b=other-hook-sae&limit=500&order=asc")
                .json();
        // then: the same pairs, farthest first, and the same unmatched with A's best cosines
        JsonNode items = c.get("pairs").get("items");
        assertThat(items).hasSize(expected.pairs().size());
        for (int k = 0; k < items.size(); k++) {
            FeatureMatching.Match m = expected.pairs().get(expected.pairs().size() - 1 - k);
            assertThat(items.get(k).get("a").get("index").asInt()).isEqualTo(m.a());
            assertThat(items.get(k).get("b").get("index").asInt()).isEqualTo(m.b());
            assertThat(items.get(k).get("b").get("explanation").isNull())
                    .as("SAE other-hook-sae has no labels")
                    .isTrue();
        }
        JsonNode onlyA = c.get("unmatchedA").get("items");
        assertThat(onlyA).hasSize(expected.unmatchedA().length);
        for (int k = 0; k < onlyA.size(); k++) {
            int i = expected.unmatchedA()[k];
            assertThat(onlyA.get(k).get("feature").get("index").asInt()).isEqualTo(i);
            assertThat(onlyA.get(k).get("bestCosine").asDouble()).isCloseTo(expected.bestA()[i], within(1e-6));
        }
        assertThat(c.get("unmatchedB").get("total").asInt()).isEqualTo(expected.unmatchedB().length);
    }

    @Test
    void compareRefusesWhatItCannotMatch() {
        assertThat(get("/api/compare?a=" + enc(a.id())).json().get("error").asText())
                .isEqualTo("bad-request");
        assertThat(get("/api/compare?a=" + enc(a.id()) + "&b=" + enc(a.id())).status())
                .isEqualTo(400);
        Response unknown = get("/api/compare?a=" + enc(a.id()) + "&b=nowhere");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asText()).contains("nowhere").contains("not loaded here");
    }

    @Test
    void aFeaturePageLinksToItsTwinInTheOtherSaeAtTheSameHookOnly() {
        // when
        JsonNode matches = get("/api/features/5?sae=" + enc(a.id())).json().get("matches");
        // then: B's twin with cosine 1 and its explanation; not the SAE at another hook
        assertThat(matches).hasSize(1);
        assertThat(matches.get(0).get("saeId").asText()).isEqualTo(b.id());
        assertThat(matches.get(0).get("index").asInt()).isEqualTo(perm.get(5));
        assertThat(matches.get(0).get("cosine").asDouble()).isCloseTo(1.0, within(1e-5));
        assertThat(matches.get(0).get("explanation").asText())
                .isEqualTo(labels.get(b.id() + "/" + perm.get(5)).explanation());
    }

    @Test
    void saesShowWhoLabelledEachCatalogueAndWhenItWasBuilt() {
        JsonNode items = get("/api/saes").json().get("items");
        JsonNode sa = find(items, a.id());
        JsonNode sb = find(items, b.id());
        assertThat(sa.get("hook").asText()).isEqualTo(a.config().hookName());
        assertThat(sa.get("model").asText()).isEqualTo(a.config().modelName());
        assertThat(sa.get("firstUpdatedMs").asLong()).isEqualTo(ComparedCatalogues.BUILT_MS);
        assertThat(sa.get("updatedMs").asLong()).isEqualTo(ComparedCatalogues.BUILT_MS + (WIDTH - 1) * 1000L);
        assertThat(sb.get("firstUpdatedMs").asLong()).isEqualTo(ComparedCatalogues.BUILT_MS + 10_000_000L);
        assertThat(Json.MAPPER.convertValue(sa.get("explainers"), List.class))
                .isEqualTo(List.of(explainer("offline", null, "v1", WIDTH)));
        // most labels first
        assertThat(Json.MAPPER.convertValue(sb.get("explainers"), List.class))
                .isEqualTo(List.of(
                        explainer("llm", "openai", "model-x", ComparedCatalogues.FIRST_MODEL),
                        explainer("llm", "openai", "model-y", WIDTH - ComparedCatalogues.FIRST_MODEL)));
    }

    // --- fixtures

    private static Map<String, Object> explainer(String kind, String provider, String model, int labels) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("kind", kind);
        m.put("provider", provider);
        m.put("model", model);
        m.put("labels", labels);
        return m;
    }

    private static JsonNode find(JsonNode items, String saeId) {
        for (JsonNode x : items) {
            if (x.get("saeId").asText().equals(saeId)) {
                return x;
            }
        }
        throw new AssertionError(saeId + " not in " + items);
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static Response get(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(served.url().replaceAll("/$", "") + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
