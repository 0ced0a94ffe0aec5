package dev.saestream.label;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.saestream.catalog.FeatureState;
import dev.saestream.model.OnnxRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * One of {@link #MODELS}, loaded from its jar: also the web server's semantic search. LangChain4j's
     * own classes run the model on a session of as many ONNX Runtime threads as cores, which spin while
     * they wait, beside a pool as large again: that spinning took a quarter of the embedding's CPU
     * (36 against 27 ms a 30-word example). Here each call runs on one thread, and calls run side by
     * side on {@link #THREADS}, as the transformer's sessions do.
     */
    public static EmbeddingModel model(String name) {
        // one per process, as LangChain4j's own classes hold theirs: a session is 23 to 130 MB
        return LOADED.computeIfAbsent(name, EmbeddingScorer::loadFromJar);
    }

    private static final Map<String, EmbeddingModel> LOADED = new ConcurrentHashMap<>();

    private static EmbeddingModel loadFromJar(String name) {
        JarModel jar = switch (name) {
            case "all-minilm-l6-v2-q" -> new JarModel("all-minilm-l6-v2-q", PoolingMode.MEAN);
            case "all-minilm-l6-v2" -> new JarModel("all-minilm-l6-v2", PoolingMode.MEAN);
            case "bge-small-en-v15-q" -> new JarModel("bge-small-en-v1.5-q", PoolingMode.CLS);
            case "bge-small-en-v15" -> new JarModel("bge-small-en-v1.5", PoolingMode.CLS);
            default -> throw new IllegalArgumentException("unknown embedding model '" + name + "'; known: " + MODELS);
        };
        // the process's one ONNX Runtime (shared with the transformer through DJL, whichever loads first)
        // must exist before a session: started by LangChain4j, DJL could not start its engine after it,
        // and the start-up needs the large stack OnnxRuntime gives it
        OrtEnvironment env = OnnxRuntime.environment();
        try (InputStream onnx = resource(jar.file() + ".onnx");
                InputStream tokenizer = resource(jar.file() + "-tokenizer.json");
                OrtSession.SessionOptions options = OnnxRuntime.sessionOptions(1)) {
            OrtSession session = env.createSession(onnx.readAllBytes(), options);
            return new JarEmbeddingModel(new OnnxBertBiEncoder(env, session, tokenizer, jar.pooling()), THREADS);
        } catch (IOException | OrtException | RuntimeException e) {
            throw new IllegalStateException("could not load the embedding model " + name + ": " + e.getMessage(), e);
        }
    }

    /** A model's files at its jar's root ({@code <file>.onnx}, {@code <file>-tokenizer.json}) and its pooling. */
    private record JarModel(String file, PoolingMode pooling) {}

    private static InputStream resource(String name) throws IOException {
        InputStream in = EmbeddingScorer.class.getResourceAsStream("/" + name);
        if (in == null) {
            throw new IOException(name + " is not on the class path (its langchain4j-embeddings jar is missing)");
        }
        return in;
    }

    /** The embedding calls of the process, one per core at a time; idle threads end after a minute. */
    static final Executor THREADS = embeddingThreads();

    private static Executor embeddingThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(cores, cores, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "embedding-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A LangChain4j in-process model over a session built here. */
    private static final class JarEmbeddingModel extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        JarEmbeddingModel(OnnxBertBiEncoder encoder, Executor executor) {
            super(executor);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return 384;
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
