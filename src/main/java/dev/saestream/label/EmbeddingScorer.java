package dev.saestream.label;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.saestream.catalog.FeatureState;
import dev.saestream.model.OnnxRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Embedding: how well the explanation's similarity to each example (cosine of in-process sentence
 * embeddings, from the LangChain4j ONNX jars; no network) separates activating from non-activating
 * examples, as a ROC AUC with DeLong's interval.
 */
public final class EmbeddingScorer implements Scorer {
    public static final List<String> MODELS =
            List.of("all-minilm-l6-v2-q", "all-minilm-l6-v2", "bge-small-en-v15-q", "bge-small-en-v15");
    /** BGE embeds queries with this instruction in front (its model card's advice for retrieval). */
    static final String BGE_QUERY = "Represent this sentence for searching relevant passages: ";
    /** Examples embedded recently: non-activating examples come from one background sample shared by every feature. */
    static final int CACHED_EMBEDDINGS = 20_000;

    private final EmbeddingModel model;
    private final String modelName;
    private final Map<String, float[]> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CACHED_EMBEDDINGS;
        }
    };

    public EmbeddingScorer(EmbeddingModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    /** Loads one of {@link #MODELS} from its jar. */
    public static EmbeddingScorer load(String name) {
        return new EmbeddingScorer(model(name), name);
    }

    /** One of {@link #MODELS}, loaded from its jar: also the web server's semantic search. */
    public static EmbeddingModel model(String name) {
        Supplier<EmbeddingModel> factory = switch (name) {
            case "all-minilm-l6-v2-q" -> AllMiniLmL6V2QuantizedEmbeddingModel::new;
            case "all-minilm-l6-v2" -> AllMiniLmL6V2EmbeddingModel::new;
            case "bge-small-en-v15-q" -> BgeSmallEnV15QuantizedEmbeddingModel::new;
            case "bge-small-en-v15" -> BgeSmallEnV15EmbeddingModel::new;
            default -> throw new IllegalArgumentException("unknown embedding model '" + name + "'; known: " + MODELS);
        };
        // the process's one ONNX Runtime (shared with the transformer through DJL, whichever loads first)
        // must exist before LangChain4j asks for an environment: started by LangChain4j, DJL could not
        // start its engine after it, and the start-up needs the large stack OnnxRuntime gives it
        OnnxRuntime.environment();
        try {
            return factory.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not load the embedding model " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "embedding";
    }

    @Override
    public Score score(String explanation, FeatureState state, List<Example> examples, long seed, CostMeter meter) {
        String query = modelName.startsWith("bge") ? BGE_QUERY + explanation : explanation;
        Embedding q = model.embed(query).content();
        List<float[]> embedded = embed(examples.stream()
                .map(e -> e.text().isBlank() ? "(empty)" : e.text())
                .toList());
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            double sim = CosineSimilarity.between(q, Embedding.from(embedded.get(i)));
            (examples.get(i).activating() ? pos : neg).add(sim);
        }
        double[] p = pos.stream().mapToDouble(Double::doubleValue).toArray();
        double[] n = neg.stream().mapToDouble(Double::doubleValue).toArray();
        Stats.Interval ci = Stats.aucInterval(p, n);
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("positives", (double) p.length);
        details.put("negatives", (double) n.length);
        details.put("meanSimilarityActivating", Stats.mean(p));
        details.put("meanSimilarityNonActivating", Stats.mean(n));
        return new Score(
                "roc_auc",
                Stats.auc(p, n),
                examples.size(),
                ci.low(),
                ci.high(),
                "delong",
                0,
                0,
                modelName,
                details,
                List.of());
    }

    /** The embeddings of {@code texts}, computing only those not cached. */
    private List<float[]> embed(List<String> texts) {
        List<String> missing = new ArrayList<>();
        synchronized (cache) {
            for (String t : texts) {
                if (!cache.containsKey(t) && !missing.contains(t)) {
                    missing.add(t);
                }
            }
        }
        if (!missing.isEmpty()) {
            List<Embedding> made = model.embedAll(
                            missing.stream().map(TextSegment::from).toList())
                    .content();
            synchronized (cache) {
                for (int i = 0; i < missing.size(); i++) {
                    cache.put(missing.get(i), made.get(i).vector());
                }
            }
        }
        List<float[]> out = new ArrayList<>(texts.size());
        synchronized (cache) {
            for (String t : texts) {
                float[] v = cache.get(t);
                if (v == null) {
                    // evicted by a concurrent score of another feature: embed it again
                    v = model.embed(t).content().vector();
                }
                out.add(v);
            }
        }
        return out;
    }
}
