package dev.saestream.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.cli.Main;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TestKafka;
import dev.saestream.label.Cost;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Normalization;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saestream export} against the real test broker: feature states and labels of two SAEs
 * (one feature in an older and a newer version, one deleted by a tombstone) go to the topics; each
 * format is exported through the command line and read back, and every field is checked against
 * the catalogue as the test itself built it.
 */
class ExportTest {
    static final String SAE = "toy-model/layer2/topk-48";
    static final String OTHER = "other-model/layer1/topk-8";
    static final String SOURCE = "2-saestream-topk-48";
    static final int D_IN = 16;
    static final int D_SAE = 48;
    static final int BATCH = 16;
    static final int SIMILAR = 5;
    static final int GROUPS = 5;

    @TempDir
    static Path tmp;

    static Path config;
    static Path saeDir;
    /** The catalogue as it should read: the last state and label per feature of {@link #SAE}. */
    static final TreeMap<Integer, FeatureState> states = new TreeMap<>();

    static final TreeMap<Integer, Label> labels = new TreeMap<>();

    @BeforeAll
    static void produceTheCatalogue() throws Exception {
        String featuresTopic = TestKafka.unique("export-features");
        String labelsTopic = TestKafka.unique("export-labels");
        try (Admin admin = TestKafka.admin()) {
            TestKafka.createTopics(
                    admin, List.of(new NewTopic(featuresTopic, 4, (short) 1), new NewTopic(labelsTopic, 4, (short) 1)));
        }
        config = tmp.resolve("export.yaml");
        Files.writeString(
                config,
                "export:\n  featuresTopic: " + featuresTopic + "\n  labelsTopic: " + labelsTopic
                        + "\n  creatorId: tester\n  batchSize: " + BATCH + "\n  similarFeatures: " + SIMILAR + "\n");
        saeDir = tmp.resolve("sae");
        Random random = new Random(7);
        SaeConfig cfg = new SaeConfig(
                Architecture.TOPK,
                D_IN,
                D_SAE,
                4,
                false,
                true,
                Normalization.NONE,
                "float32",
                "toy-model",
                "blocks.2.hook_resid_post",
                64,
                "toy-data",
                null,
                null);
        Sae.of(
                        cfg,
                        new SaeWeights(
                                gaussian(random, D_IN * D_SAE),
                                gaussian(random, D_SAE),
                                gaussian(random, D_SAE * D_IN),
                                gaussian(random, D_IN),
                                null,
                                null,
                                null,
                                null))
                .save(saeDir);
        assertThat(Sae.load(saeDir).id()).isEqualTo(SAE);

        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int f = 0; f < 40; f++) {
                FeatureState s = state(SAE, f, 1, random);
                send(p, featuresTopic, s.key(), Json.write(s));
                states.put(f, s);
                if (f < 30) {
                    Label l = label(SAE, f, 1, random);
                    send(p, labelsTopic, l.key(), Json.write(l));
                    labels.put(f, l);
                }
            }
            // feature 5 again, newer, with a newer label: the newer ones win
            FeatureState newer = state(SAE, 5, 2, random);
            send(p, featuresTopic, newer.key(), Json.write(newer));
            assertThat(newer.max()).isNotEqualTo(states.get(5).max());
            states.put(5, newer);
            Label newerLabel = label(SAE, 5, 2, random);
            send(p, labelsTopic, newerLabel.key(), Json.write(newerLabel));
            labels.put(5, newerLabel);
            // feature 39 deleted: absent from every export
            send(p, featuresTopic, FeatureKey.of(SAE, 39), null);
            states.remove(39);
            // a failed label: no explanation to export
            Label failed = new Label(
                    SAE,
                    31,
                    Label.Status.FAILED,
                    "no usable answer",
                    null,
                    new Label.ExplainerInfo("llm", "openai", "gpt-test"),
                    Map.of(),
                    Cost.NONE,
                    basis(1),
                    1_700_000_000_000L,
                    List.of(),
                    List.of());
            send(p, labelsTopic, failed.key(), Json.write(failed));
            labels.put(31, failed);
            // another SAE on the same topics: never exported with this one
            for (int f = 0; f < 3; f++) {
                FeatureState s = state(OTHER, f, 1, random);
                send(p, featuresTopic, s.key(), Json.write(s));
                Label l = label(OTHER, f, 1, random);
                send(p, labelsTopic, l.key(), Json.write(l));
            }
        }
    }

    // ------------------------------------------------------------------ neuronpedia

    @Test
    void neuronpediaExportMatchesTheCatalogue() throws Exception {
        Path out = tmp.resolve("np");
        Run run = run("--sae", SAE, "--format", "neuronpedia", "--out", out.toString(), "--sae-dir", saeDir.toString());
        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out).contains("39 features");

        Path source = out.resolve("v1/toy-model/" + SOURCE);
        assertThat(list(out.resolve("v1"))).containsExactly("config", "toy-model");
        assertThat(list(out.resolve("v1/toy-model"))).containsExactly(SOURCE);
        assertThat(list(out.resolve("v1/config")))
                .containsExactly(
                        "eval_type.jsonl",
                        "explanation_model_type.jsonl",
                        "explanation_score_model.jsonl",
                        "explanation_score_type.jsonl",
                        "explanation_type.jsonl");
        assertThat(list(source))
                .containsExactly(
                        "activations",
                        "explanation_scores",
                        "explanations",
                        "features",
                        "model.jsonl",
                        "release.jsonl",
                        "source.jsonl",
                        "sourceset.jsonl");
        JsonNode sourceRow = plainRows(source.resolve("source.jsonl")).get(0);
        assertThat(sourceRow.get("id").asText()).isEqualTo(SOURCE);
        assertThat(sourceRow.get("setName").asText()).isEqualTo("saestream-topk-48");
        assertThat(sourceRow.get("saelensConfig").get("d_sae").asInt()).isEqualTo(D_SAE);
        assertThat(plainRows(source.resolve("model.jsonl")).get(0).get("id").asText())
                .isEqualTo("toy-model");

        // features: 39 in batches of 16, in index order, each as the catalogue has it
        List<List<JsonNode>> featureBatches = batches(source.resolve("features"));
        assertThat(featureBatches).extracting(List::size).containsExactly(16, 16, 7);
        List<JsonNode> features = featureBatches.stream().flatMap(List::stream).toList();
        assertThat(features)
                .extracting(r -> Integer.parseInt(r.get("index").asText()))
                .containsExactlyElementsOf(states.keySet());
        float[][] decoder = decoderRows(Sae.load(saeDir));
        for (JsonNode row : features) {
            FeatureState s = states.get(Integer.parseInt(row.get("index").asText()));
            assertThat(row.get("index").isTextual()).isTrue();
            assertThat(row.get("modelId").asText()).isEqualTo("toy-model");
            assertThat(row.get("layer").asText()).isEqualTo(SOURCE);
            assertThat(row.get("sourceSetName").asText()).isEqualTo("saestream-topk-48");
            assertThat(row.get("creatorId").asText()).isEqualTo("tester");
            assertThat((float) row.get("maxActApprox").asDouble()).isEqualTo(s.max());
            assertThat(row.get("frac_nonzero").asDouble()).isEqualTo((double) s.activations() / s.tokensSeen());
            // the histogram: one centre per height, from the first to the last non-empty bin
            long[] counts = s.histogram().counts();
            int first = IntStream.range(0, counts.length)
                    .filter(b -> counts[b] > 0)
                    .min()
                    .orElseThrow();
            int last = IntStream.range(0, counts.length)
                    .filter(b -> counts[b] > 0)
                    .max()
                    .orElseThrow();
            JsonNode heights = row.get("freq_hist_data_bar_heights");
            JsonNode values = row.get("freq_hist_data_bar_values");
            assertThat(heights.size()).isEqualTo(values.size()).isEqualTo(last - first + 1);
            for (int j = 0; j < heights.size(); j++) {
                int b = first + j;
                assertThat(heights.get(j).asLong()).isEqualTo(counts[b]);
                // geometric centre of [1e-3·10^((b-1)/8), 1e-3·10^(b/8))
                double centre = b == 0 ? 5e-4 : 1e-3 * Math.pow(10, (b - 0.5) / 8);
                assertThat(values.get(j).asDouble()).isCloseTo(centre, within(1e-12 * centre));
            }
            // nearest features by decoder cosine, brute force
            List<Integer> nearest = IntStream.range(0, D_SAE)
                    .filter(f -> f != s.index())
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer f) -> -cosine(decoder[s.index()], decoder[f])))
                    .limit(SIMILAR)
                    .toList();
            assertThat(ints(row.get("topkCosSimIndices"))).containsExactlyElementsOf(nearest);
            for (int j = 0; j < SIMILAR; j++) {
                assertThat(row.get("topkCosSimValues").get(j).asDouble())
                        .isCloseTo(cosine(decoder[s.index()], decoder[nearest.get(j)]), within(1e-9));
            }
            // what we have nothing for is there, empty
            for (String empty : List.of(
                    "logits_hist_data_bar_heights",
                    "logits_hist_data_bar_values",
                    "neg_str",
                    "neg_values",
                    "pos_str",
                    "pos_values",
                    "neuron_alignment_indices",
                    "correlated_neurons_indices",
                    "decoder_weights_dist",
                    "vector")) {
                assertThat(row.get(empty).isArray() && row.get(empty).isEmpty())
                        .as(empty)
                        .isTrue();
            }
            assertThat(row.has("vectorLabel") && row.get("vectorLabel").isNull())
                    .isTrue();
            assertThat(row.get("hasVector").asBoolean()).isFalse();
        }

        // activations: batch N holds the activations of features batch N
        List<List<JsonNode>> activationBatches = batches(source.resolve("activations"));
        assertThat(activationBatches).hasSize(3);
        for (int b = 0; b < 3; b++) {
            Set<String> inFeatures = featureBatches.get(b).stream()
                    .map(r -> r.get("index").asText())
                    .collect(Collectors.toSet());
            assertThat(activationBatches.get(b))
                    .allSatisfy(
                            r -> assertThat(inFeatures).contains(r.get("index").asText()));
        }
        Map<Integer, List<JsonNode>> byFeature = new TreeMap<>();
        activationBatches.stream()
                .flatMap(List::stream)
                .forEach(r -> byFeature
                        .computeIfAbsent(Integer.parseInt(r.get("index").asText()), k -> new ArrayList<>())
                        .add(r));
        assertThat(byFeature.keySet()).containsExactlyElementsOf(states.keySet());
        Set<String> activationIds = new HashSet<>();
        for (Map.Entry<Integer, List<JsonNode>> e : byFeature.entrySet()) {
            FeatureState s = states.get(e.getKey());
            List<JsonNode> top = e.getValue().stream()
                    .filter(r -> r.get("binMin").asDouble() == -1)
                    .toList();
            List<JsonNode> quantiles = e.getValue().stream()
                    .filter(r -> r.get("binMin").asDouble() != -1)
                    .toList();
            assertThat(top).hasSize(s.top().size());
            for (int i = 0; i < top.size(); i++) {
                FeatureWindow w = s.top().get(i);
                JsonNode r = top.get(i);
                assertThat(r.get("binContains").asDouble()).isEqualTo(-1);
                assertThat((float) r.get("binMax").asDouble()).isEqualTo(s.max());
                assertThat(r.get("dataSource").asText()).isEqualTo(w.doc());
                assertThat(floats(r.get("values"))).containsExactly(w.acts());
                assertThat(strings(r.get("tokens"))).containsExactly(w.tokens());
                assertThat((float) r.get("maxValue").asDouble()).isEqualTo(w.max());
                assertThat(r.get("maxValueTokenIndex").asInt()).isEqualTo(w.peak() - w.first());
                float min = w.acts()[0];
                for (float v : w.acts()) {
                    min = Math.min(min, v);
                }
                assertThat((float) r.get("minValue").asDouble()).isEqualTo(min);
            }
            // the reservoir, all of it, in at most five groups of nearly equal size by peak activation
            assertThat(quantiles.stream()
                            .map(r -> r.get("dataSource").asText() + "#"
                                    + r.get("maxValueTokenIndex").asInt())
                            .sorted()
                            .toList())
                    .isEqualTo(s.reservoir().stream()
                            .map(w -> w.doc() + "#" + (w.peak() - w.first()))
                            .sorted()
                            .toList());
            Map<String, List<JsonNode>> groups = new TreeMap<>();
            quantiles.forEach(r -> groups.computeIfAbsent(
                            r.get("binMin").asDouble() + "/" + r.get("binMax").asDouble(), k -> new ArrayList<>())
                    .add(r));
            assertThat(groups).hasSize(Math.min(GROUPS, s.reservoir().size()));
            List<List<JsonNode>> ordered = groups.values().stream()
                    .sorted(Comparator.comparingDouble(
                            g -> g.get(0).get("binMin").asDouble()))
                    .toList();
            int smallest = ordered.stream().mapToInt(List::size).min().orElseThrow();
            int largest = ordered.stream().mapToInt(List::size).max().orElseThrow();
            assertThat(largest - smallest).isLessThanOrEqualTo(1);
            double previousMax = Double.NEGATIVE_INFINITY;
            for (List<JsonNode> g : ordered) {
                double lo = g.get(0).get("binMin").asDouble();
                double hi = g.get(0).get("binMax").asDouble();
                List<Double> peaks =
                        g.stream().map(r -> r.get("maxValue").asDouble()).toList();
                assertThat(lo).isEqualTo(peaks.stream().min(Double::compare).orElseThrow());
                assertThat(hi).isEqualTo(peaks.stream().max(Double::compare).orElseThrow());
                assertThat(lo).isGreaterThanOrEqualTo(previousMax);
                previousMax = hi;
                assertThat(g)
                        .allSatisfy(r -> assertThat(r.get("binContains").asDouble())
                                .isCloseTo((double) g.size() / s.reservoir().size(), within(1e-12)));
            }
            e.getValue()
                    .forEach(r ->
                            assertThat(activationIds.add(r.get("id").asText())).isTrue());
        }

        // explanations: the ok labels, the newer one for feature 5, in batches of 16
        List<Label> ok = labels.values().stream()
                .filter(l -> l.status() == Label.Status.OK)
                .toList();
        List<List<JsonNode>> explanationBatches = batches(source.resolve("explanations"));
        assertThat(explanationBatches).extracting(List::size).containsExactly(16, 14);
        List<JsonNode> explanations =
                explanationBatches.stream().flatMap(List::stream).toList();
        assertThat(explanations).hasSize(ok.size());
        Map<String, Label> byExplanationId = new HashMap<>();
        for (int i = 0; i < ok.size(); i++) {
            JsonNode r = explanations.get(i);
            Label l = ok.get(i);
            assertThat(r.get("index").asText()).isEqualTo(Integer.toString(l.index()));
            assertThat(r.get("description").asText()).isEqualTo(l.explanation());
            assertThat(r.get("typeName").asText()).isEqualTo("saestream-offline");
            assertThat(r.get("explanationModelName").asText()).isEqualTo("log-odds-dirichlet-v1");
            assertThat(r.get("authorId").asText()).isEqualTo("tester");
            assertThat(r.get("layer").asText()).isEqualTo(SOURCE);
            byExplanationId.put(r.get("id").asText(), l);
        }
        assertThat(explanations.get(5).get("description").asText()).isEqualTo("feature 5, version 2");

        // scores, which Neuronpedia's export leaves out: every score with its interval, n and parse failures
        List<JsonNode> scores = batches(source.resolve("explanation_scores")).stream()
                .flatMap(List::stream)
                .toList();
        assertThat(scores).hasSize(ok.stream().mapToInt(l -> l.scores().size()).sum());
        for (JsonNode r : scores) {
            Label l = byExplanationId.get(r.get("explanationId").asText());
            String scorer = r.get("explanationScoreTypeName").asText().substring("saestream-".length());
            Score s = l.scores().get(scorer);
            assertThat(s).as(scorer).isNotNull();
            assertThat(r.get("value").asDouble()).isEqualTo(s.value());
            assertThat(r.get("ciLow").asDouble()).isEqualTo(s.ciLow());
            assertThat(r.get("ciHigh").asDouble()).isEqualTo(s.ciHigh());
            assertThat(r.get("n").asInt()).isEqualTo(s.n());
            assertThat(r.get("parseFailureRate").asDouble()).isEqualTo(s.parseFailureRate());
            assertThat(r.get("explanationScoreModelName").asText()).isEqualTo(s.model());
            assertThat(Json.MAPPER
                            .readTree(r.get("jsonDetails").asText())
                            .get("n")
                            .asInt())
                    .isEqualTo(s.n());
        }
        List<String> scoreTypes = plainRows(out.resolve("v1/config/explanation_score_type.jsonl")).stream()
                .map(r -> r.get("name").asText())
                .toList();
        assertThat(scoreTypes).containsExactly("saestream-detection", "saestream-embedding");
    }

    // ------------------------------------------------------------------ saelens

    @Test
    void saelensDirectoryLoadsWithSparsityFromTheObservedDensities() throws Exception {
        Path out = tmp.resolve("saelens");
        Run run = run("--sae", SAE, "--format", "saelens", "--out", out.toString(), "--sae-dir", saeDir.toString());
        assertThat(run.code).as(run.err).isZero();

        Sae exported = Sae.load(out);
        Sae original = Sae.load(saeDir);
        assertThat(exported.config()).isEqualTo(original.config());
        assertThat(Files.readAllBytes(out.resolve(Sae.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(saeDir.resolve(Sae.WEIGHTS_FILE)));
        float[] sparsity = exported.logSparsity();
        assertThat(sparsity).hasSize(D_SAE);
        for (int f = 0; f < D_SAE; f++) {
            FeatureState s = states.get(f);
            // SAELens: log10(feature_sparsity + 1e-10); a feature that never fired gets -10
            float want = s == null ? -10f : (float) Math.log10((double) s.activations() / s.tokensSeen() + 1e-10);
            assertThat(sparsity[f]).as("feature %d", f).isEqualTo(want);
        }
        assertThat(dev.saestream.formats.Safetensors.read(out.resolve(Sae.SPARSITY_FILE))
                        .tensors())
                .containsOnlyKeys("sparsity")
                .allSatisfy((k, t) -> assertThat(t.dtype()).isEqualTo("F32"));
    }

    // ------------------------------------------------------------------ jsonl

    @Test
    void jsonlHoldsEveryFeatureStateWithItsLabel() throws Exception {
        Path out = tmp.resolve("jsonl");
        Run run = run("--sae", SAE, "--format", "jsonl", "--gzip", "--out", out.toString());
        assertThat(run.code).as(run.err).isZero();
        List<JsonNode> lines = gunzipLines(out.resolve("features.jsonl.gz"));
        assertThat(lines).extracting(l -> l.get("index").asInt()).containsExactlyElementsOf(states.keySet());
        for (JsonNode line : lines) {
            int index = line.get("index").asInt();
            assertThat(line.get("saeId").asText()).isEqualTo(SAE);
            assertThat(Json.MAPPER.treeToValue(line.get("feature"), FeatureState.class))
                    .isEqualTo(states.get(index));
            if (labels.containsKey(index)) {
                assertThat(Json.MAPPER.treeToValue(line.get("label"), Label.class))
                        .isEqualTo(labels.get(index));
            } else {
                assertThat(line.has("label")).isFalse();
            }
        }
        assertThat(lines.get(5).get("label").get("explanation").asText()).isEqualTo("feature 5, version 2");
        assertThat(lines.get(5).get("feature").get("version").asLong()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void anUnknownSaeIsAnErrorNamingTheOnesThere() {
        Run run = run(
                "--sae",
                "nope/layer1/x",
                "--format",
                "jsonl",
                "--out",
                tmp.resolve("none").toString());
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err)
                .contains("SAE 'nope/layer1/x' has no features")
                .contains("other-model/layer1/topk-8 (3 features), toy-model/layer2/topk-48 (39 features)");
        assertThat(tmp.resolve("none")).doesNotExist();
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Run run = run(
                "--sae",
                SAE,
                "--format",
                "parquet",
                "--out",
                tmp.resolve("parquet").toString());
        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("--format").contains("NEURONPEDIA, SAELENS, JSONL] (case-insensitive)");
    }

    @Test
    void aNonEmptyOutIsRefusedUnlessForced() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        Run refused = run("--sae", SAE, "--format", "jsonl", "--out", out.toString());
        assertThat(refused.code).isEqualTo(1);
        assertThat(refused.err).contains("is not empty").contains("--force");
        assertThat(list(out)).containsExactly("keep.txt");

        Run forced = run("--sae", SAE, "--format", "jsonl", "--out", out.toString(), "--force");
        assertThat(forced.code).as(forced.err).isZero();
        assertThat(list(out)).containsExactly("features.jsonl", "keep.txt");
        assertThat(Files.readAllLines(out.resolve("features.jsonl"))).hasSize(states.size());
    }

    @Test
    void saelensRefusesAnSaeDirectoryOfAnotherSae() throws Exception {
        Path other = tmp.resolve("other-sae");
        Sae.of(
                        SaeConfig.of(Architecture.TOPK, D_IN, 8, 2).withId(OTHER),
                        SaeWeights.zeros(SaeConfig.of(Architecture.TOPK, D_IN, 8, 2)))
                .save(other);
        Run run = run(
                "--sae",
                SAE,
                "--format",
                "saelens",
                "--out",
                tmp.resolve("wrong").toString(),
                "--sae-dir",
                other.toString());
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).contains("is '" + OTHER + "', not '" + SAE + "'");
    }

    // ------------------------------------------------------------------ the catalogue, made up

    /** A feature state with windows of 6 tokens whose peak is the strict maximum, as the catalog builds them. */
    static FeatureState state(String saeId, int index, long version, Random random) {
        int n = 3 + random.nextInt(30);
        List<FeatureWindow> windows = new ArrayList<>();
        long[] histogram = new long[ActivationHistogram.SIZE];
        double sum = 0;
        float max = 0;
        for (int i = 0; i < n; i++) {
            int first = random.nextInt(100);
            int peak = first + random.nextInt(6);
            float[] acts = new float[6];
            String[] tokens = new String[6];
            float top = 0;
            for (int t = 0; t < 6; t++) {
                acts[t] = random.nextFloat() < 0.4f ? 0f : random.nextFloat() * 3;
                tokens[t] = (t == 0 ? "" : " ") + "w" + random.nextInt(50);
                top = Math.max(top, acts[t]);
            }
            acts[peak - first] = top + 0.01f + random.nextFloat() * 10 * index / 40f;
            windows.add(
                    new FeatureWindow(saeId + "/doc-" + index + "-" + version + "-" + i, peak, first, tokens, acts));
            histogram[ActivationHistogram.bin(acts[peak - first])]++;
            sum += acts[peak - first];
            max = Math.max(max, acts[peak - first]);
        }
        List<FeatureWindow> top = windows.stream()
                .sorted(FeatureWindow.BY_ACTIVATION_DESC)
                .limit(10)
                .toList();
        List<FeatureWindow> reservoir = new ArrayList<>(windows);
        java.util.Collections.shuffle(reservoir, random);
        reservoir = reservoir.subList(0, Math.min(12, reservoir.size()));
        return new FeatureState(
                saeId,
                index,
                version,
                20_000L * version,
                n,
                n,
                n,
                sum,
                max,
                new ActivationHistogram(histogram),
                top,
                reservoir,
                1_700_000_000_000L + version);
    }

    static Label label(String saeId, int index, long version, Random random) {
        Map<String, Score> scores = new LinkedHashMap<>();
        double auc = 0.5 + random.nextDouble() / 2;
        scores.put(
                "embedding",
                new Score(
                        "roc_auc",
                        auc,
                        100,
                        auc - 0.05,
                        Math.min(1, auc + 0.05),
                        "delong",
                        0,
                        0,
                        "all-minilm-l6-v2-q",
                        Map.of(),
                        List.of()));
        double acc = random.nextDouble();
        scores.put(
                "detection",
                new Score(
                        "balanced_accuracy",
                        acc,
                        40,
                        Math.max(0, acc - 0.1),
                        Math.min(1, acc + 0.1),
                        "adjusted-wald",
                        2,
                        0.05,
                        "gpt-test",
                        Map.of("f1", 0.5),
                        List.of("no JSON")));
        return new Label(
                saeId,
                index,
                Label.Status.OK,
                null,
                "feature " + index + ", version " + version,
                new Label.ExplainerInfo("offline", null, "log-odds-dirichlet-v1"),
                scores,
                Cost.NONE,
                basis(version),
                1_700_000_000_000L + version,
                List.of(),
                List.of());
    }

    static Label.Basis basis(long version) {
        return new Label.Basis(version, 0.01, 10, 10, 1f, List.of(), List.of(), List.of(), List.of());
    }

    // ------------------------------------------------------------------ helpers

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(
                "export",
                "--config",
                config.toString(),
                "--bootstrap-servers",
                TestKafka.bootstrapServers(),
                "--no-progress"));
        all.addAll(Arrays.asList(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    static void send(KafkaProducer<String, byte[]> p, String topic, String key, byte[] value) throws Exception {
        p.send(new ProducerRecord<>(topic, key, value)).get();
    }

    static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    static float[][] decoderRows(Sae sae) {
        float[] w = sae.weights().wDec();
        float[][] rows = new float[D_SAE][];
        for (int f = 0; f < D_SAE; f++) {
            rows[f] = Arrays.copyOfRange(w, f * D_IN, (f + 1) * D_IN);
        }
        return rows;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The rows of batch-0.jsonl.gz, batch-1.jsonl.gz, … in batch order; the files must be numbered without gaps. */
    static List<List<JsonNode>> batches(Path dir) throws IOException {
        List<String> names = list(dir);
        List<List<JsonNode>> out = new ArrayList<>();
        for (int b = 0; b < names.size(); b++) {
            assertThat(names).contains("batch-" + b + ".jsonl.gz");
            out.add(gunzipLines(dir.resolve("batch-" + b + ".jsonl.gz")));
        }
        return out;
    }

    static List<JsonNode> gunzipLines(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<JsonNode> rows = new ArrayList<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                rows.add(Json.MAPPER.readTree(line));
            }
            return rows;
        }
    }

    static List<JsonNode> plainRows(Path file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(Json.MAPPER.readTree(line));
        }
        return rows;
    }

    static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    static String[] strings(JsonNode a) {
        String[] out = new String[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asText();
        }
        return out;
    }
}
