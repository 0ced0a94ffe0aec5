package dev.saestream.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import dev.saestream.sae.CosineDistribution;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON the API answers with, one record per shape of {@code serve-contract} (the README's
 * "Browsing the catalogue" section): absent values are written as {@code null}, never left out.
 */
final class Api {
    /** The project's mapper, writing nulls: the page tells "none" from "not sent". */
    static final ObjectMapper MAPPER = Json.MAPPER
            .copy()
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Api() {}

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Error(String error, String detail) {}

    record Sae(
            String saeId,
            String model,
            String hook,
            Integer width,
            Long documents,
            long tokens,
            int features,
            long labelled,
            long failed,
            Integer dead,
            long updatedMs,
            Long firstUpdatedMs,
            List<Explainer> explainers) {}

    /** Who wrote a catalogue's latest labels, and how many of them. */
    record Explainer(String kind, String provider, String model, long labels) {}

    record Saes(List<Sae> items) {}

    record ScoreJson(
            String scorer,
            String metric,
            double value,
            double ciLow,
            double ciHigh,
            int n,
            int parseFailures,
            double parseFailureRate,
            String model,
            Baseline baseline,
            Boolean informative) {
        static ScoreJson of(String scorer, Score s) {
            return s == null
                    ? null
                    : new ScoreJson(
                            scorer,
                            s.metric(),
                            s.value(),
                            s.ciLow(),
                            s.ciHigh(),
                            s.n(),
                            s.parseFailures(),
                            s.parseFailureRate(),
                            s.model(),
                            s.baseline() == null
                                    ? null
                                    : new Baseline(
                                            s.baseline().value(),
                                            s.baseline().ciLow(),
                                            s.baseline().ciHigh()),
                            s.informative());
        }
    }

    /** The null explanation's score on the same examples; null for labels scored without one. */
    record Baseline(double value, double ciLow, double ciHigh) {}

    record FeatureSummary(
            int index,
            long version,
            long updatedMs,
            long activations,
            long documents,
            double density,
            double max,
            double mean,
            long[] histogram,
            String explanation,
            Label.Status labelStatus,
            ScoreJson score) {
        static FeatureSummary of(FeatureEntry f, LabelEntry l) {
            return new FeatureSummary(
                    f.index(),
                    f.version(),
                    f.updatedMs(),
                    f.activations(),
                    f.documents(),
                    f.density(),
                    f.max(),
                    f.mean(),
                    f.histogram(),
                    l == null ? null : l.explanation(),
                    l == null ? null : l.status(),
                    l == null ? null : ScoreJson.of(l.scorer(), l.score()));
        }
    }

    record FeaturePage(String saeId, int total, int offset, int limit, List<FeatureSummary> items) {}

    record Histogram(long[] counts, double[] lower, double[] upper) {
        static Histogram of(ActivationHistogram h) {
            double[] lower = new double[ActivationHistogram.SIZE];
            double[] upper = new double[ActivationHistogram.SIZE];
            for (int i = 0; i < lower.length; i++) {
                lower[i] = ActivationHistogram.lowerEdge(i);
                upper[i] = ActivationHistogram.upperEdge(i);
            }
            return new Histogram(h.counts(), lower, upper);
        }
    }

    record Window(String doc, int peak, int first, String[] tokens, float[] acts, float max) {
        static Window of(FeatureWindow w) {
            return new Window(w.doc(), w.peak(), w.first(), w.tokens(), w.acts(), w.max());
        }

        static List<Window> of(List<FeatureWindow> ws) {
            return ws.stream().map(Window::of).toList();
        }
    }

    record Quantile(int group, float low, float high, List<Window> windows) {}

    record Facet(String field, Map<String, Long> counts) {}

    record Cost(int calls, long inputTokens, long outputTokens) {}

    record History(
            long createdMs,
            long version,
            Label.Status status,
            String explanation,
            Label.ExplainerInfo explainer,
            Map<String, Double> scores) {}

    record LabelJson(
            Label.Status status,
            String failure,
            String explanation,
            Label.ExplainerInfo explainer,
            List<ScoreJson> scores,
            Cost cost,
            long createdMs,
            long basedOnVersion,
            double basisShare,
            List<String> warnings,
            List<History> history) {}

    record Nearest(int index, double cosine, String explanation) {}

    /** The feature's best decoder-cosine match in another SAE at the same hook. */
    record Match(String saeId, int index, double cosine, String explanation) {}

    record Feature(
            String saeId,
            int index,
            long version,
            long updatedMs,
            long tokensSeen,
            long activations,
            long documents,
            long windows,
            double density,
            double max,
            double mean,
            Histogram histogram,
            List<Window> top,
            List<Quantile> quantiles,
            Facet facet,
            LabelJson label,
            List<Nearest> nearest,
            List<Match> matches) {}

    record TokenFeature(int index, float value, String explanation) {}

    record Token(String text, int start, int end, List<TokenFeature> features) {}

    record Activations(String saeId, List<Token> tokens) {}

    record SearchHit(int index, String explanation, double rank, double lexical, double semantic, ScoreJson score) {}

    record Search(String saeId, String q, List<SearchHit> items) {}

    record Changed(String saeId, List<Integer> changed) {}

    /** One side of a compared pair: the feature and its label's explanation and main score, when it has them. */
    record CompareSide(int index, String explanation, ScoreJson score) {}

    record ComparePair(double cosine, CompareSide a, CompareSide b) {}

    /** A feature without a pair; {@code bestCosine} is its best cosine with any feature of the other SAE (A's side only). */
    record Unmatched(CompareSide feature, Double bestCosine) {}

    record Page<T>(int total, int offset, int limit, List<T> items) {}

    record Compare(
            String a,
            String b,
            int featuresA,
            int featuresB,
            CosineDistribution bestCosines,
            Page<ComparePair> pairs,
            Page<Unmatched> unmatchedA,
            Page<Unmatched> unmatchedB) {}

    record Status(
            boolean restoring,
            int saes,
            Documents documents,
            long tokens,
            Double tokensPerSecond,
            Lag lag,
            Features features,
            Labels labels,
            Llm llm,
            long updatedMs) {}

    record Documents(Long produced, Long encoded, long deadLettered, Map<String, Long> deadLetterReasons) {}

    record Lag(Long encode, Long catalog, Long label) {}

    record Features(long alive) {}

    record Labels(long labelled, Long pending, long failed, Map<String, Long> failureReasons) {}

    /** {@code dollars}: the tokens at {@code prices.*}, null while no price is configured. */
    record Llm(long calls, long inputTokens, long outputTokens, Long cachedInputTokens, Double dollars) {}
}
