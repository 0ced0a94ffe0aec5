package dev.saestream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Times the transformer up to the hook three ways, on the same windows in the same batches:
 * the whole graph with the hook exposed and the cut graph, both as bare ONNX Runtime runs on
 * inputs built beforehand, and {@link Transformer#extract} (tokenize, run through DJL, copy out).
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
    public static List<Row> run(ModelConfig config, List<String> texts, int[] batchSizes, int repeats,
            IntConsumer progress) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Transformer transformer = Transformer.open(config)) {
            HookPoint hook = transformer.hook();
            List<long[]> sequences = transformer.sequences(texts);
            long tokens = sequences.stream().mapToLong(s -> s.length).sum();
            Path full = transformer.store().full(hook);
            Path cut = transformer.store().cut(hook);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = OnnxSession.options(config.threadCount());
                    OrtSession fullSession = env.createSession(full.toString(), options);
                    OrtSession cutSession = env.createSession(cut.toString(), options)) {
                for (int batchSize : batchSizes) {
                    try (Transformer sized = Transformer.open(config.withBatchSize(batchSize))) {
                        List<List<Integer>> batches = Transformer.batches(sequences, sized.batchSize());
                        Map<String, Pass> passes = new LinkedHashMap<>();
                        passes.put(FULL, () -> bare(env, fullSession, transformer.info(), sequences, batches));
                        passes.put(CUT, () -> bare(env, cutSession, transformer.info(), sequences, batches));
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
                        best.forEach((variant, nanos) -> rows.add(
                                new Row(variant, batchSize, sized.batchSize(), tokens, nanos / 1e9)));
                    }
                }
            } catch (OrtException e) {
                throw new IOException("ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private interface Pass {
        long nanos() throws OrtException;
    }

    /** Nanoseconds for running every batch, inputs made beforehand, outputs released unread. */
    private static long bare(OrtEnvironment env, OrtSession session, ModelInfo info, List<long[]> sequences,
            List<List<Integer>> batches) throws OrtException {
        List<String> names = session.getInputNames().stream().toList();
        List<Map<String, OnnxTensor>> feeds = new ArrayList<>(batches.size());
        try {
            for (List<Integer> batch : batches) {
                List<long[]> seqs = batch.stream().map(sequences::get).toList();
                int length = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
                Map<String, OnnxTensor> feed = new HashMap<>();
                for (HostTensor t : info.feed(names, seqs, length)) {
                    feed.put(t.name(), t.data() instanceof int[] ints
                            ? OnnxTensor.createTensor(env, IntBuffer.wrap(ints), t.shape())
                            : OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.shape()));
                }
                feeds.add(feed);
            }
            session.run(feeds.get(0)).close();
            long t0 = System.nanoTime();
            for (Map<String, OnnxTensor> feed : feeds) {
                session.run(feed).close();
            }
            return System.nanoTime() - t0;
        } finally {
            for (Map<String, OnnxTensor> feed : feeds) {
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }
}
