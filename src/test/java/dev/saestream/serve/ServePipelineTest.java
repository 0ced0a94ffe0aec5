package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureSummary;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.EncodeApp;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.TokenActivations;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.produce.TextProducer;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SparseCode;
import dev.saestream.sae.TestSaes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real documents through the real transformer, an SAE head and the catalog, with the server beside
 * them as {@code run} has it: the view equals the catalog's own stores, the documents count is the
 * catalogue's, and "what fires on this text" equals the SAE's reference encoder on the transformer's
 * activations.
 */
class ServePipelineTest {
    @TempDir
    Path dir;

    @Test
    void theViewEqualsTheCatalogAndActivationsEqualTheReferenceEncoder() throws Exception {
        Sae sae = TestSaes.random(Architecture.TOPK, 384, 256, 8, 7);
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()))) {
            Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(kafka)) {
                new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
            }
            EncodeConfig ec =
                    new EncodeConfig("serve-encode", CodesFormat.Precision.HALF, 100_000, 1, 500, "", "unused", 64);
            CatalogConfig d = CatalogConfig.defaults();
            CatalogConfig cc = d.withApplicationId("serve-catalog")
                    .withSamples(5, 3, 4, 8)
                    .withBackground(20, 16)
                    .withShards(0)
                    .withEmission(1_000, 1_000, 1.0, 0.2)
                    .withIntervals(500, 500)
                    .withState(true, dir.resolve("state").toString());
            try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(ModelConfig.defaults(), sae, ec);
                    EncodeApp encode = EncodeApp.start(
                            encoder, ec, kafka, dir.resolve("state").toString(), 1);
                    CatalogApp catalog =
                            CatalogApp.start(cc, kafka, dir.resolve("state").toString(), null, 1)) {
                LocalStages stages = new LocalStages() {
                    @Override
                    public Long documents(String saeId) {
                        return catalog.queries().totals(saeId).documents();
                    }

                    @Override
                    public Long tokensEncoded() {
                        return encode.counters().tokens.get();
                    }
                };
                ServeConfig sc = new ServeConfig("127.0.0.1", 0, 65_536, 4_000, 200, 500, "all-minilm-l6-v2-q", false);
                try (ServeServer server = ServeServer.start(
                        sc,
                        CatalogView.start(kafka),
                        new KnownSaes(List.of(sae)),
                        EncoderSlot.lent(encoder),
                        stages,
                        kafka,
                        new StageGroups("serve-encode", "serve-catalog", "none"))) {
                    ProduceSummary produced;
                    try (TextProducer p = new TextProducer(TextProducer.newProducer(kafka, ProduceConfig.defaults()))) {
                        produced = p.produce(TextSources.europarl(12, SourceOptions.defaults()), null);
                    }
                    String saeId = sae.id();
                    HttpClient http = HttpClient.newHttpClient();
                    String base = "http://127.0.0.1:" + server.port();
                    // wait until the catalogue has every document and the view every feature at the catalog's version
                    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                    boolean same = false;
                    while (!same && System.nanoTime() < deadline) {
                        Thread.sleep(500);
                        same = sameAsCatalog(http, base, catalog, saeId, produced.produced());
                    }
                    assertThat(same).as("the view caught up with the catalogue").isTrue();

                    JsonNode saes = get(http, base + "/api/saes").get("items").get(0);
                    assertThat(saes.get("documents").asLong())
                            .isEqualTo(produced.produced())
                            .isEqualTo(12);
                    assertThat(saes.get("tokens").asLong())
                            .isEqualTo(catalog.queries().totals(saeId).tokens());
                    assertThat(saes.get("width").asInt()).isEqualTo(256);
                    JsonNode status = get(http, base + "/api/status");
                    assertThat(status.get("documents").get("produced").asLong()).isEqualTo(12);
                    assertThat(status.get("documents").get("encoded").asLong())
                            .isEqualTo(encode.counters().encoded.get());
                    // each stage's lag, from its group's committed offsets, falls to 0 once it has committed it all;
                    // the encode stage's tokens/s is measured
                    long lagDeadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                    while (System.nanoTime() < lagDeadline
                            && !(status.get("lag").get("encode").isIntegralNumber()
                                    && status.get("lag").get("encode").asLong() == 0
                                    && status.get("lag").get("catalog").isIntegralNumber()
                                    && status.get("lag").get("catalog").asLong() == 0)) {
                        Thread.sleep(200);
                        status = get(http, base + "/api/status");
                    }
                    assertThat(status.get("lag").get("encode").isIntegralNumber())
                            .as("%s", status)
                            .isTrue();
                    assertThat(status.get("lag").get("encode").asLong()).isZero();
                    assertThat(status.get("lag").get("catalog").isIntegralNumber())
                            .as("%s", status)
                            .isTrue();
                    assertThat(status.get("lag").get("catalog").asLong()).isZero();
                    // no labeller runs here: its group has committed nothing, so its lag is unknown
                    assertThat(status.get("lag").get("label").isNull()).isTrue();
                    assertThat(status.get("tokensPerSecond").isNumber())
                            .as("%s", status)
                            .isTrue();

                    // a feature page's windows are the catalog's, token by token
                    FeatureSummary first = catalog.queries()
                            .page(saeId, FeatureSummary.Sort.DENSITY, 0, 1)
                            .features()
                            .get(0);
                    FeatureState st =
                            catalog.queries().feature(saeId, first.index()).orElseThrow();
                    JsonNode f = get(http, base + "/api/features/" + first.index());
                    assertThat(f.get("activations").asLong()).isEqualTo(st.activations());
                    assertThat(f.get("top")).hasSize(st.top().size());
                    for (int i = 0; i < st.top().size(); i++) {
                        ServeApiTest.assertWindow(f.get("top").get(i), st.top().get(i));
                    }

                    // what fires on a text: the reference encoder on the transformer's own activations
                    String text = "The Commission will answer the honourable Member's question in writing.";
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/activations"))
                                    .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(Map.of("text", text))))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    JsonNode tokens = Json.MAPPER.readTree(r.body()).get("tokens");
                    TokenActivations t =
                            encoder.transformer().extract(List.of(text)).get(0);
                    SparseCode[] reference = sae.encode(t.activations(), t.size());
                    assertThat(tokens).hasSize(t.size());
                    StringBuilder joined = new StringBuilder();
                    for (int i = 0; i < t.size(); i++) {
                        JsonNode tok = tokens.get(i);
                        assertThat(text.substring(
                                        tok.get("start").asInt(), tok.get("end").asInt()))
                                .isEqualTo(tok.get("text").asText());
                        assertThat(tok.get("end").asInt()).isEqualTo(t.ends()[i]);
                        joined.append(tok.get("text").asText());
                        SparseCode ref = reference[i];
                        Integer[] order = new Integer[ref.size()];
                        Arrays.setAll(order, k -> k);
                        Arrays.sort(order, (a, b) -> Float.compare(ref.values()[b], ref.values()[a]));
                        JsonNode fs = tok.get("features");
                        assertThat(fs).hasSize(ref.size());
                        for (int k = 0; k < ref.size(); k++) {
                            assertThat(fs.get(k).get("index").asInt()).isEqualTo(ref.indices()[order[k]]);
                            // half precision, as the codes topic carries them
                            assertThat(fs.get(k).get("value").asDouble())
                                    .isCloseTo(
                                            ref.values()[order[k]],
                                            org.assertj.core.data.Percentage.withPercentage(0.2));
                        }
                    }
                    assertThat(text).startsWith(joined.toString());
                }
            }
        }
    }

    /** True when the catalogue counts {@code documents} and the view lists every feature at the catalog's version. */
    private static boolean sameAsCatalog(
            HttpClient http, String base, CatalogApp catalog, String saeId, long documents) {
        try {
            if (catalog.queries().totals(saeId).documents() != documents
                    || !catalog.counters().settled()) {
                return false;
            }
            List<FeatureSummary> all = catalog.queries()
                    .page(saeId, FeatureSummary.Sort.INDEX, 0, 10_000)
                    .features();
            JsonNode page = get(http, base + "/api/features?sort=index&limit=500");
            if (page == null || page.get("total").asInt() != all.size()) {
                return false;
            }
            for (int i = 0; i < all.size(); i++) {
                JsonNode row = page.get("items").get(i);
                if (row.get("index").asInt() != all.get(i).index()
                        || row.get("version").asLong() != all.get(i).version()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    static JsonNode get(HttpClient http, String url) {
        try {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
