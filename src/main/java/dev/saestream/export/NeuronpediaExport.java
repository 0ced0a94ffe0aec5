package dev.saestream.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.catalog.QuantileGroups;
import dev.saestream.formats.Json;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import dev.saestream.label.SimilarFeatures;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Neuronpedia's bulk export layout, with the tables and field names of Neuronpedia's own export
 * script ({@code utils/neuronpedia-utils/.../export-data.py}) and database schema:
 * {@code v1/config/*.jsonl} (explanation, explanation model, score and score model types, eval
 * types) and, for the SAE's source, {@code v1/<model>/<source>/} with {@code model.jsonl},
 * {@code release.jsonl}, {@code source.jsonl}, {@code sourceset.jsonl} and folders
 * {@code features/}, {@code activations/}, {@code explanations/} of gzip batches. Batches hold
 * {@link ExportConfig#batchSize} features (and the activations of those features, as Neuronpedia
 * pages activations by feature index) or explanations. Scores, which Neuronpedia's export leaves
 * out, go to an extra {@code explanation_scores/} folder with the columns of its ExplanationScore
 * table plus the interval, n and parse-failure rate. Fields we have nothing for are written empty
 * ([] or null), never made up; the README lists them.
 */
final class NeuronpediaExport {
    /** Rows keep their null fields: Neuronpedia's rows have every column. */
    static final ObjectMapper ROWS = Json.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private static final List<Object> EMPTY = List.of();
    /** The prefix of the explanation and score type names we write, so they never collide with Neuronpedia's own. */
    static final String TYPE_PREFIX = "saestream-";

    private final ExportConfig config;
    private final NeuronpediaIds ids;
    private final String createdAt;

    NeuronpediaExport(ExportConfig config, NeuronpediaIds ids, Instant now) {
        this.config = config;
        this.ids = ids;
        this.createdAt = now.toString();
    }

    /** The source's folder under {@code out}. */
    static Path sourceDir(Path out, NeuronpediaIds ids) {
        return out.resolve("v1").resolve(ids.modelId()).resolve(ids.sourceId());
    }

    static Path configDir(Path out) {
        return out.resolve("v1").resolve("config");
    }

    ExportSummary write(CatalogueSnapshot snapshot, Sae sae, Path out, LongConsumer progress, List<String> notes)
            throws IOException {
        long started = System.nanoTime();
        Path source = sourceDir(out, ids);
        Files.createDirectories(source);
        long[] plain = {0, 0}; // files, bytes of the plain jsonl files
        writeConfig(configDir(out), snapshot, plain);
        long tokensSeen = 0;
        SimilarFeatures similar = sae == null || config.similarFeatures() == 0 ? null : SimilarFeatures.of(sae);
        long explanations;
        long scores;
        long activations;
        long features;
        int files;
        long bytes;
        try (BatchWriter featureRows = new BatchWriter(source.resolve("features"), config.batchSize(), ROWS);
                BatchWriter activationRows = new BatchWriter(source.resolve("activations"), 0, ROWS);
                BatchWriter explanationRows =
                        new BatchWriter(source.resolve("explanations"), config.batchSize(), ROWS);
                BatchWriter scoreRows =
                        new BatchWriter(source.resolve("explanation_scores"), config.batchSize(), ROWS)) {
            long done = 0;
            for (int index : snapshot.indices()) {
                if (done > 0 && done % config.batchSize() == 0) {
                    activationRows.roll(); // activations batch N holds the activations of features batch N
                }
                FeatureState state = snapshot.feature(index);
                tokensSeen = Math.max(tokensSeen, state.tokensSeen());
                featureRows.write(featureRow(state, similar));
                for (Map<String, Object> row : activationRows(state)) {
                    activationRows.write(row);
                }
                Label label = snapshot.label(index).orElse(null);
                if (label != null && label.status() == Label.Status.OK) {
                    String explanationId = id("explanation", Integer.toString(index), Long.toString(label.createdMs()));
                    explanationRows.write(explanationRow(label, explanationId));
                    for (Map.Entry<String, Score> s : label.scores().entrySet()) {
                        scoreRows.write(scoreRow(label, explanationId, s.getKey(), s.getValue()));
                    }
                }
                progress.accept(++done);
            }
            featureRows.close();
            activationRows.close();
            explanationRows.close();
            scoreRows.close();
            features = featureRows.rows();
            activations = activationRows.rows();
            explanations = explanationRows.rows();
            scores = scoreRows.rows();
            files = featureRows.files() + activationRows.files() + explanationRows.files() + scoreRows.files();
            bytes = featureRows.bytes() + activationRows.bytes() + explanationRows.bytes() + scoreRows.bytes();
        }
        writeSourceFiles(source, sae, snapshot.size(), tokensSeen, plain);
        return new ExportSummary(
                snapshot.saeId(),
                ExportFormat.NEURONPEDIA,
                out,
                features,
                activations,
                explanations,
                scores,
                files + (int) plain[0],
                bytes + plain[1],
                (System.nanoTime() - started) / 1_000_000,
                notes);
    }

    // ------------------------------------------------------------------ features

    private Map<String, Object> featureRow(FeatureState s, SimilarFeatures similar) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("modelId", ids.modelId());
        row.put("layer", ids.sourceId());
        row.put("index", Integer.toString(s.index()));
        row.put("maxActApprox", s.max());
        row.put("creatorId", config.creatorId());
        row.put("frac_nonzero", s.density());
        Histogram h = Histogram.of(s.histogram());
        row.put("freq_hist_data_bar_heights", h.heights);
        row.put("freq_hist_data_bar_values", h.values);
        // no unembedding (the default model is an encoder) and no logit lens: nothing to put here
        row.put("logits_hist_data_bar_heights", EMPTY);
        row.put("logits_hist_data_bar_values", EMPTY);
        row.put("neuron_alignment_indices", EMPTY);
        row.put("neuron_alignment_l1", EMPTY);
        row.put("neuron_alignment_values", EMPTY);
        row.put("correlated_neurons_indices", EMPTY);
        row.put("correlated_neurons_l1", EMPTY);
        row.put("correlated_neurons_pearson", EMPTY);
        row.put("decoder_weights_dist", EMPTY);
        row.put("neg_str", EMPTY);
        row.put("neg_values", EMPTY);
        row.put("pos_str", EMPTY);
        row.put("pos_values", EMPTY);
        row.put("sourceSetName", ids.sourceSet());
        List<Integer> simIndices = new ArrayList<>();
        List<Double> simValues = new ArrayList<>();
        if (similar != null) {
            for (int f : similar.mostSimilar(s.index(), config.similarFeatures())) {
                simIndices.add(f);
                simValues.add(similar.cosine(s.index(), f));
            }
        }
        row.put("topkCosSimIndices", simIndices);
        row.put("topkCosSimValues", simValues);
        // a steering vector is something a user uploads; an SAE feature has none
        row.put("vector", EMPTY);
        row.put("vectorLabel", null);
        row.put("hookName", null);
        row.put("vectorDefaultSteerStrength", null);
        row.put("hasVector", false);
        return row;
    }

    /**
     * The activation histogram as Neuronpedia's bars: one height per bin and, at the same index, the
     * value the bin stands for (its centre, {@link ActivationHistogram#centre}), from the first to the
     * last non-empty bin. Never the n + 1 edges: Neuronpedia's feature page needs equal lengths.
     */
    record Histogram(List<Long> heights, List<Double> values) {
        static Histogram of(ActivationHistogram h) {
            long[] c = h.counts();
            int first = 0;
            while (first < c.length && c[first] == 0) {
                first++;
            }
            int last = c.length - 1;
            while (last >= first && c[last] == 0) {
                last--;
            }
            List<Long> heights = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (int b = first; b <= last; b++) {
                heights.add(c[b]);
                values.add(ActivationHistogram.centre(b));
            }
            return new Histogram(heights, values);
        }
    }

    // ------------------------------------------------------------------ activations

    private List<Map<String, Object>> activationRows(FeatureState s) {
        List<Map<String, Object>> rows = new ArrayList<>();
        // the top windows: Neuronpedia marks them with binMin = binContains = -1 and the feature's max as binMax
        for (FeatureWindow w : s.top()) {
            rows.add(activationRow(s, w, "top", -1f, s.max(), -1));
        }
        // the reservoir in activation quantile groups: each with its bounds and the share of windows it holds
        if (!s.reservoir().isEmpty()) {
            double n = s.reservoir().size();
            for (QuantileGroups.Group g : QuantileGroups.of(s.reservoir(), config.quantileGroups())) {
                for (FeatureWindow w : g.windows()) {
                    rows.add(activationRow(
                            s,
                            w,
                            "quantile-" + g.group(),
                            g.low(),
                            g.high(),
                            g.windows().size() / n));
                }
            }
        }
        return rows;
    }

    private Map<String, Object> activationRow(
            FeatureState s, FeatureWindow w, String kind, float binMin, float binMax, double binContains) {
        float[] v = w.acts();
        int argMax = 0;
        float min = v[0];
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[argMax]) {
                argMax = i;
            }
            min = Math.min(min, v[i]);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id("activation", Integer.toString(s.index()), kind, w.id()));
        row.put("modelId", ids.modelId());
        row.put("layer", ids.sourceId());
        row.put("index", Integer.toString(s.index()));
        row.put("creatorId", config.creatorId());
        row.put("dataSource", w.doc());
        row.put("tokens", w.tokens());
        row.put("maxValue", v[argMax]);
        row.put("minValue", min);
        row.put("values", v);
        row.put("maxValueTokenIndex", argMax);
        // direct feature attribution needs attention patterns, which the catalogue does not keep
        row.put("dfaValues", EMPTY);
        row.put("dfaMaxValue", null);
        row.put("dfaTargetIndex", null);
        row.put("binContains", binContains);
        row.put("binMin", binMin);
        row.put("binMax", binMax);
        return row;
    }

    // ------------------------------------------------------------------ explanations and scores

    private Map<String, Object> explanationRow(Label label, String explanationId) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", explanationId);
        row.put("modelId", ids.modelId());
        row.put("layer", ids.sourceId());
        row.put("index", Integer.toString(label.index()));
        row.put("authorId", config.creatorId());
        row.put("description", label.explanation());
        // Neuronpedia embeds explanations with its own model into a vector(256) column; ours is not that
        row.put("embedding", null);
        row.put("typeName", explanationType(label.explainer()));
        row.put("explanationModelName", label.explainer().model());
        row.put("umap_x", null);
        row.put("umap_y", null);
        row.put("umap_cluster", null);
        row.put("umap_log_feature_sparsity", null);
        return row;
    }

    private Map<String, Object> scoreRow(Label label, String explanationId, String scorer, Score s) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("metric", s.metric());
        details.put("ciLow", s.ciLow());
        details.put("ciHigh", s.ciHigh());
        details.put("interval", s.interval());
        details.put("n", s.n());
        details.put("parseFailures", s.parseFailures());
        details.put("parseFailureRate", s.parseFailureRate());
        details.put("details", s.details());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id("score", explanationId, scorer));
        row.put("explanationId", explanationId);
        row.put("modelId", ids.modelId());
        row.put("layer", ids.sourceId());
        row.put("index", Integer.toString(label.index()));
        row.put("initiatedByUserId", config.creatorId());
        row.put("explanationScoreTypeName", TYPE_PREFIX + scorer);
        row.put("explanationScoreModelName", scoreModel(s));
        row.put("value", s.value());
        row.put("metric", s.metric());
        row.put("ciLow", s.ciLow());
        row.put("ciHigh", s.ciHigh());
        row.put("n", s.n());
        row.put("parseFailureRate", s.parseFailureRate());
        row.put("jsonDetails", Json.writeString(details));
        row.put("createdAt", Instant.ofEpochMilli(label.createdMs()).toString());
        return row;
    }

    static String explanationType(Label.ExplainerInfo e) {
        return TYPE_PREFIX + e.kind();
    }

    static String scoreModel(Score s) {
        return s.model() == null || s.model().isBlank() ? "none" : s.model();
    }

    // ------------------------------------------------------------------ config and source rows

    private void writeConfig(Path dir, CatalogueSnapshot snapshot, long[] plain) throws IOException {
        Map<String, Label.ExplainerInfo> types = new TreeMap<>();
        Map<String, Label.ExplainerInfo> models = new TreeMap<>();
        Map<String, Score> scoreTypes = new TreeMap<>();
        Map<String, Score> scoreModels = new TreeMap<>();
        for (Label l : snapshot.labels().values()) {
            if (l.status() != Label.Status.OK) {
                continue;
            }
            types.putIfAbsent(explanationType(l.explainer()), l.explainer());
            models.putIfAbsent(l.explainer().model(), l.explainer());
            l.scores().forEach((name, s) -> {
                scoreTypes.putIfAbsent(name, s);
                scoreModels.putIfAbsent(scoreModel(s), s);
            });
        }
        List<Map<String, Object>> typeRows = new ArrayList<>();
        types.forEach((name, e) -> {
            Map<String, Object> own = new LinkedHashMap<>();
            own.put("explainerModelSettingsId", null);
            typeRows.add(typeRow(
                    name,
                    "saestream " + e.kind(),
                    "llm".equals(e.kind())
                            ? "saestream's LLM explainer: top and quantile-sampled windows, activating tokens marked with their values"
                            : "saestream's offline explainer: the tokens a feature fires on (and just before), ranked by"
                                    + " log-odds against the background with an informative Dirichlet prior",
                    own));
        });
        List<Map<String, Object>> modelRows = new ArrayList<>();
        models.forEach((name, e) -> modelRows.add(modelTypeRow(
                name, e.provider() == null ? e.kind() + " explainer" : e.provider() + " model, through LangChain4j")));
        List<Map<String, Object>> scoreTypeRows = new ArrayList<>();
        scoreTypes.forEach((name, s) -> {
            Map<String, Object> own = new LinkedHashMap<>();
            own.put(
                    "scoreDescription",
                    s.metric() + ", with its 95% interval (" + s.interval() + ") and n in the score row");
            own.put("scorerModel", null);
            scoreTypeRows.add(typeRow(
                    TYPE_PREFIX + name,
                    "saestream " + name,
                    SCORER_DESCRIPTIONS.getOrDefault(name, "saestream's " + name + " scorer"),
                    own));
        });
        List<Map<String, Object>> scoreModelRows = new ArrayList<>();
        scoreModels.forEach((name, s) -> scoreModelRows.add(modelTypeRow(name, "the model that scored")));
        writeRows(dir.resolve("explanation_type.jsonl"), typeRows, plain);
        writeRows(dir.resolve("explanation_model_type.jsonl"), modelRows, plain);
        writeRows(dir.resolve("explanation_score_type.jsonl"), scoreTypeRows, plain);
        writeRows(dir.resolve("explanation_score_model.jsonl"), scoreModelRows, plain);
        // saestream runs no Neuronpedia evals: the file is there, empty, as the layout expects
        writeRows(dir.resolve("eval_type.jsonl"), List.of(), plain);
    }

    private static final Map<String, String> SCORER_DESCRIPTIONS = Map.of(
            "detection", "an LLM says which of several examples contain the feature; balanced accuracy",
            "fuzzing", "an LLM says whether marked tokens are where the feature fires; balanced accuracy",
            "simulation", "an LLM predicts the activation of every token; Pearson r with the true activations",
            "embedding",
                    "similarity of the explanation to activating and non-activating examples in an embedding"
                            + " model; ROC AUC");

    /** A row of ExplanationType or ExplanationScoreType: the columns they share around each one's {@code own}. */
    private Map<String, Object> typeRow(String name, String displayName, String description, Map<String, Object> own) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("displayName", displayName);
        r.put("description", description);
        r.put("featured", false);
        r.put("isAttention", false);
        r.putAll(own);
        r.put("settings", null);
        r.put("url", null);
        r.put("creatorName", config.creatorName());
        r.put("creatorId", config.creatorId());
        r.put("createdAt", createdAt);
        r.put("updatedAt", createdAt);
        return r;
    }

    private Map<String, Object> modelTypeRow(String name, String description) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("displayName", name);
        r.put("description", description);
        r.put("featured", false);
        r.put("openRouterModelId", null);
        r.put("url", null);
        r.put("creatorName", config.creatorName());
        r.put("createdAt", createdAt);
        r.put("updatedAt", createdAt);
        return r;
    }

    private void writeSourceFiles(Path dir, Sae sae, int features, long tokensSeen, long[] plain) throws IOException {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", ids.modelId());
        model.put("displayNameShort", ids.modelId());
        model.put("displayName", ids.modelId());
        model.put("creatorId", config.creatorId());
        model.put("tlensId", null);
        model.put("dimension", sae == null ? null : sae.config().dIn());
        model.put("visibility", "PUBLIC");
        model.put("inferenceEnabled", false);
        model.put("instruct", false);
        // the catalogue does not know the model's depth or MLP width: 0 unless export.modelLayers says
        model.put("layers", config.modelLayers());
        model.put("neuronsPerLayer", 0);
        model.put("owner", config.creatorName());
        model.put("website", null);
        model.put("createdAt", createdAt);
        model.put("updatedAt", createdAt);

        Map<String, Object> release = new LinkedHashMap<>();
        release.put("name", config.releaseName());
        release.put("visibility", "PUBLIC");
        release.put("isNewUi", false);
        release.put("featured", false);
        release.put("description", "A live saestream catalogue, exported");
        release.put("descriptionShort", "saestream export");
        release.put("urls", EMPTY);
        release.put("creatorEmail", null);
        release.put("creatorName", config.creatorName());
        release.put("creatorNameShort", config.creatorName());
        release.put("creatorId", config.creatorId());
        release.put("defaultSourceSetName", ids.sourceSet());
        release.put("defaultSourceId", ids.sourceId());
        release.put("defaultUmapSourceIds", EMPTY);
        release.put("createdAt", createdAt);

        Map<String, Object> sourceSet = new LinkedHashMap<>();
        sourceSet.put("modelId", ids.modelId());
        sourceSet.put("name", ids.sourceSet());
        sourceSet.put("hasDashboards", true);
        sourceSet.put("allowInferenceSearch", false);
        sourceSet.put("visibility", "PUBLIC");
        sourceSet.put(
                "description",
                sae != null && sae.config().hookName() != null
                        ? sae.config().hookName() + " - " + sae.config().dSae()
                        : ids.sourceSet());
        sourceSet.put("type", "");
        sourceSet.put("creatorName", config.creatorName());
        sourceSet.put("urls", EMPTY);
        sourceSet.put("creatorEmail", null);
        sourceSet.put("creatorId", config.creatorId());
        sourceSet.put("releaseName", config.releaseName());
        sourceSet.put("createdAt", createdAt);

        Map<String, Object> source = new LinkedHashMap<>();
        source.put("id", ids.sourceId());
        source.put("modelId", ids.modelId());
        source.put("hasDashboards", true);
        source.put("inferenceEnabled", false);
        source.put("saelensConfig", sae == null ? null : sae.config().toCfgJson());
        source.put("saelensRelease", null);
        source.put("saelensSaeId", null);
        source.put("hfRepoId", null);
        source.put("hfFolderId", null);
        source.put("visibility", "PUBLIC");
        source.put("setName", ids.sourceSet());
        source.put("creatorId", config.creatorId());
        source.put("hasUmap", false);
        source.put("hasUmapLogSparsity", false);
        source.put("hasUmapClusters", false);
        source.put("num_prompts", null);
        source.put("num_tokens_in_prompt", null);
        source.put("dataset", sae == null ? null : sae.config().datasetPath());
        source.put(
                "notes",
                String.format(
                        java.util.Locale.ROOT,
                        "saestream catalogue of %s: %,d features seen over %,d tokens," + " exported %s",
                        ids.sourceId(),
                        features,
                        tokensSeen,
                        createdAt));
        source.put("createdAt", createdAt);

        writeRows(dir.resolve("model.jsonl"), List.of(model), plain);
        writeRows(dir.resolve("release.jsonl"), List.of(release), plain);
        writeRows(dir.resolve("sourceset.jsonl"), List.of(sourceSet), plain);
        writeRows(dir.resolve("source.jsonl"), List.of(source), plain);
    }

    private static void writeRows(Path file, List<Map<String, Object>> rows, long[] plain) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : rows) {
            sb.append(ROWS.writeValueAsString(r)).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        plain[0]++;
        plain[1] += bytes.length;
    }

    /** A stable row id: the same feature, window or label gets the same id in every export (25 hex digits, cuid's length). */
    private String id(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((ids.modelId() + "\u0000" + ids.sourceId()).getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                sha.update((byte) 0);
                sha.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 25);
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 is missing from this JVM", e));
        }
    }
}
