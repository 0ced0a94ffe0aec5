package dev.saestream.bench;

import dev.saestream.model.BareGraphs;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Times the transformer up to the hook three ways, on the same windows in the same batches:
 * the whole graph with the hook exposed and the cut graph, both as bare ONNX Runtime runs on
 * inputs built beforehand ({@link BareGraphs}), and {@link Transformer#extract} (tokenize, run through DJL, copy out).
 * Each figure is the best of {@code repeats} passes, after one warm-up batch; the variants take turns.
 */
public final class TransformerBench {
    public static final String FULL = "full graph, hook exposed";
    public static final String CUT = "cut graph";
    public static final String EXTRACT = "extraction path";

    /**
     * One measurement: {@code tokens} model positions (special tokens included, padding not) in
     * {@code seconds}, at {@code batchSize} windows per run as asked, {@code ranBatchSize} as run
     * (1 for a model whose results depend on the batch, see {@link Transformer}).
     */
    public record Row(String variant, int batchSize, int ranBatchSize, long tokens, double seconds) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private TransformerBench() {}

    /**
     * Measures every variant at every batch size; {@code progress} hears of each finished pass.
     * {@code config}'s batch size is ignored in favour of {@code batchSizes}.
     */
    public static List<Row> run(
            ModelConfig config, List<String> texts, int[] batchSizes, int repeats, IntConsumer progress)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Transformer transformer = Transformer.open(config);
                BareGraphs graphs = BareGraphs.open(transformer, texts, config.threadCount())) {
            long tokens = graphs.tokens();
            for (int batchSize : batchSizes) {
                try (Transformer sized = Transformer.open(config.withBatchSize(batchSize))) {
                    int ran = sized.batchSize();
                    Map<String, Pass> passes = new LinkedHashMap<>();
                    passes.put(FULL, () -> graphs.nanos(BareGraphs.Graph.FULL, ran));
                    passes.put(CUT, () -> graphs.nanos(BareGraphs.Graph.CUT, ran));
                    passes.put(EXTRACT, () -> {
                        sized.extract(texts.subList(0, 1));
                        long t0 = System.nanoTime();
                        sized.extract(texts);
                        return System.nanoTime() - t0;
                    });
                    // Variants take turns, so a burst of load elsewhere does not land on one of them only.
                    Map<String, Long> best = new LinkedHashMap<>();
                    for (int r = 0; r < repeats; r++) {
                        for (Map.Entry<String, Pass> p : passes.entrySet()) {
                            best.merge(p.getKey(), p.getValue().nanos(), Math::min);
                            progress.accept(1);
                        }
                    }
                    best.forEach((variant, nanos) -> rows.add(new Row(variant, batchSize, ran, tokens, nanos / 1e9)));
                }
            }
        }
        return rows;
    }

    private interface Pass {
        long nanos() throws IOException;
    }
}
