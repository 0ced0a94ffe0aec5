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
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Times the transformer up to the hook three ways, on the same windows in the same batches:
 * the whole graph with the hook exposed and the cut graph, both as bare ONNX Runtime runs on
 * inputs built beforehand, and {@link Transformer#extract} (tokenize, run through DJL, copy out).
 * Each figure is the best of {@code repeats} passes, after one warm-up batch.
 */
public final class TransformerBench {
    public static final String FULL = "full graph, hook exposed";
    public static final String CUT = "cut graph";
    public static final String EXTRACT = "extraction path";

    /** One measurement: {@code tokens} model positions (special tokens included, padding not) in {@code seconds}. */
    public record Row(String variant, int batchSize, long tokens, double seconds) {
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
            long tokens = 0;
            for (long[] s : sequences) {
                tokens += s.length;
            }
            Path full = transformer.store().full(hook);
            Path cut = transformer.store().cut(hook);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = OnnxSession.options(config.threadCount());
                    OrtSession fullSession = env.createSession(full.toString(), options);
                    OrtSession cutSession = env.createSession(cut.toString(), options)) {
                for (int batchSize : batchSizes) {
                    List<List<Integer>> batches = Transformer.batches(sequences, batchSize);
                    try (Transformer sized = Transformer.open(config.withBatchSize(batchSize))) {
                        rows.add(best(FULL, batchSize, tokens, repeats, progress,
                                () -> bare(env, fullSession, transformer.info(), sequences, batches)));
                        rows.add(best(CUT, batchSize, tokens, repeats, progress,
                                () -> bare(env, cutSession, transformer.info(), sequences, batches)));
                        rows.add(best(EXTRACT, batchSize, tokens, repeats, progress, () -> {
                            sized.extract(texts.subList(0, 1));
                            long t0 = System.nanoTime();
                            sized.extract(texts);
                            return System.nanoTime() - t0;
                        }));
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

    private static Row best(String variant, int batchSize, long tokens, int repeats, IntConsumer progress, Pass pass)
            throws OrtException {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            best = Math.min(best, pass.nanos());
            progress.accept(1);
        }
        return new Row(variant, batchSize, tokens, best / 1e9);
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
                for (Tensor t : info.feed(names, seqs, length)) {
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
