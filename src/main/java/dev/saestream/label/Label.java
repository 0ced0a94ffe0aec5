package dev.saestream.label;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.saestream.catalog.FeatureKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature's label, as written to {@code saestream.labels} (key {@code saeId/index}, compacted):
 * the explanation, who wrote it, how well it scores, what it cost, what it was based on, and a
 * bounded history of the labels before it. The schema is {@code topics/schemas/label.schema.json}.
 *
 * <p>History is kept in the record rather than in a separate topic: a compacted topic keeps only
 * the last record per key, and a reader (the web page, a notebook) wants a feature's label
 * history with one lookup; summaries of the last {@link LabelConfig#historySize} labels keep the
 * record small.
 *
 * @param saeId       the SAE the feature belongs to
 * @param index       the feature's index
 * @param status      ok, or failed (the explainer gave no usable answer; see {@code failure})
 * @param failure     why the label failed, when it did
 * @param explanation the explanation, when ok
 * @param explainer   who wrote it
 * @param scores      by scorer name: detection, fuzzing, simulation, embedding
 * @param cost        LLM calls and tokens spent on this label
 * @param basis       the feature version and the evidence the label was based on
 * @param createdMs   when it was made, epoch millis
 * @param warnings    what was left out and why (a scorer without enough examples, …)
 * @param history     earlier labels of this feature, newest first
 */
public record Label(
        String saeId,
        int index,
        Status status,
        String failure,
        String explanation,
        ExplainerInfo explainer,
        Map<String, Score> scores,
        Cost cost,
        Basis basis,
        long createdMs,
        List<String> warnings,
        List<HistoryEntry> history) {

    public Label {
        if (saeId == null || saeId.isBlank()) {
            throw new IllegalArgumentException("label saeId must be given");
        }
        if (index < 0) {
            throw new IllegalArgumentException("label index must not be negative, got " + index);
        }
        if (status == null) {
            throw new IllegalArgumentException("label status must be given");
        }
        if (status == Status.OK && (explanation == null || explanation.isBlank())) {
            throw new IllegalArgumentException("an ok label needs an explanation");
        }
        if (status == Status.FAILED && (failure == null || failure.isBlank())) {
            throw new IllegalArgumentException("a failed label needs its reason");
        }
        if (basis == null || explainer == null) {
            throw new IllegalArgumentException("label basis and explainer must be given");
        }
        scores = Ordered.copy(scores);
        cost = cost == null ? Cost.NONE : cost;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        history = history == null ? List.of() : List.copyOf(history);
    }

    @JsonIgnore
    public String key() {
        return FeatureKey.of(saeId, index);
    }

    /** This label as one entry of a later label's history. */
    public HistoryEntry summary() {
        Map<String, Double> values = new LinkedHashMap<>();
        scores.forEach((name, s) -> values.put(name, s.value()));
        return new HistoryEntry(
                createdMs,
                basis.version(),
                status,
                failure,
                explanation,
                explainer,
                values,
                cost.inputTokens(),
                cost.outputTokens());
    }

    /** The history a label made after this one carries: this one first, then its own, cut to {@code size}. */
    public List<HistoryEntry> historyFor(int size) {
        List<HistoryEntry> h = new java.util.ArrayList<>(history.size() + 1);
        h.add(summary());
        h.addAll(history);
        return List.copyOf(h.subList(0, Math.min(size, h.size())));
    }

    public enum Status {
        @JsonProperty("ok")
        OK,
        @JsonProperty("failed")
        FAILED
    }

    /**
     * Who explained the feature.
     *
     * @param kind     llm or offline
     * @param provider openai, anthropic or ollama (LLM only)
     * @param model    the model name, or the offline method's name
     */
    public record ExplainerInfo(String kind, String provider, String model) {}

    /**
     * What a label was based on: the feature version and the evidence seen, so that the labeller
     * can tell after a restart whether the feature has changed materially since.
     *
     * @param version      the feature state's version
     * @param density      its density then
     * @param activations  tokens it had fired on
     * @param windows      activating windows seen
     * @param max          its largest activation
     * @param topIds       ids of its top windows then
     * @param explainIds   windows shown to the explainer
     * @param scoreIds     held-out activating windows scored on
     * @param negativeIds  background windows scored on (random, then hard negatives)
     * @param explainedTopShare the share of the feature's top windows at creation that the explainer was shown
     *                     (the rest sit on the scoring side of the split); null in labels from before it was kept
     */
    public record Basis(
            long version,
            double density,
            long activations,
            long windows,
            float max,
            List<String> topIds,
            List<String> explainIds,
            List<String> scoreIds,
            List<String> negativeIds,
            Double explainedTopShare) {
        public Basis(
                long version,
                double density,
                long activations,
                long windows,
                float max,
                List<String> topIds,
                List<String> explainIds,
                List<String> scoreIds,
                List<String> negativeIds) {
            this(
                    version,
                    density,
                    activations,
                    windows,
                    max,
                    topIds,
                    explainIds,
                    scoreIds,
                    negativeIds,
                    RelabelPolicy.basisShare(explainIds, topIds));
        }

        public Basis {
            topIds = topIds == null ? List.of() : List.copyOf(topIds);
            explainIds = explainIds == null ? List.of() : List.copyOf(explainIds);
            scoreIds = scoreIds == null ? List.of() : List.copyOf(scoreIds);
            negativeIds = negativeIds == null ? List.of() : List.copyOf(negativeIds);
        }
    }

    /** An earlier label, summarised. */
    public record HistoryEntry(
            long createdMs,
            long version,
            Status status,
            String failure,
            String explanation,
            ExplainerInfo explainer,
            Map<String, Double> scores,
            long inputTokens,
            long outputTokens) {
        public HistoryEntry {
            scores = Ordered.copy(scores);
        }
    }
}
