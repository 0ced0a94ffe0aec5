package dev.saestream.serve;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.saestream.label.EmbeddingScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Explanation search, lexical and semantic. Lexical: the share of the query's words that the
 * explanation contains. Semantic: the cosine of the in-process sentence embeddings (the model the
 * labeller's embedding scorer uses; no network) of query and explanation. Ranked by their mean, so
 * an explanation with every word ranks above one that only means something close, and a close
 * meaning still ranks without a shared word. The model loads on the first search, and each
 * explanation is embedded once (cached by its text), so a page that never searches costs nothing.
 */
final class ExplanationSearch {
    private final String modelName;
    private volatile EmbeddingModel model;
    private final Map<String, float[]> cache = new ConcurrentHashMap<>();

    ExplanationSearch(String modelName) {
        this.modelName = modelName;
    }

    /** The words of a text: lower case, split at anything not a letter or digit. */
    static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(w -> !w.isEmpty())
                .toList();
    }

    /** Share of {@code queryWords} that {@code explanation} contains (case-insensitive, as substrings). */
    static double lexical(List<String> queryWords, String explanation) {
        if (queryWords.isEmpty() || explanation == null) {
            return 0;
        }
        String e = explanation.toLowerCase(Locale.ROOT);
        int hit = 0;
        for (String w : queryWords) {
            if (e.contains(w)) {
                hit++;
            }
        }
        return (double) hit / queryWords.size();
    }

    List<Api.SearchHit> search(SaeFeatures sae, String q, int limit) {
        List<LabelEntry> labelled =
                sae.labels().stream().filter(l -> l.explanation() != null).toList();
        List<String> qw = words(q);
        EmbeddingModel m = model();
        float[] qv = m.embed(q).content().vector();
        embedMissing(
                m,
                labelled.stream()
                        .map(LabelEntry::explanation)
                        .distinct()
                        .filter(t -> !cache.containsKey(t))
                        .toList());
        List<Api.SearchHit> hits = new ArrayList<>(labelled.size());
        for (LabelEntry l : labelled) {
            double lex = lexical(qw, l.explanation());
            double sem = cosine(qv, cache.get(l.explanation()));
            hits.add(new Api.SearchHit(
                    l.index(), l.explanation(), (lex + sem) / 2, lex, sem, Api.ScoreJson.of(l.scorer(), l.score())));
        }
        hits.sort(Comparator.comparingDouble(Api.SearchHit::rank).reversed().thenComparingInt(Api.SearchHit::index));
        return List.copyOf(hits.subList(0, Math.min(limit, hits.size())));
    }

    private void embedMissing(EmbeddingModel m, List<String> texts) {
        for (int from = 0; from < texts.size(); from += 256) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + 256));
            List<Embedding> made =
                    m.embedAll(part.stream().map(TextSegment::from).toList()).content();
            for (int i = 0; i < part.size(); i++) {
                cache.put(part.get(i), made.get(i).vector());
            }
        }
    }

    /** cos(a, b) = a·b / (|a| |b|); 0 when either is zero. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    model = EmbeddingScorer.model(modelName);
                }
                m = model;
            }
        }
        return m;
    }
}
