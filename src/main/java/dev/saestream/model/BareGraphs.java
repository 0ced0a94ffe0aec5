package dev.saestream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transformer's graphs up to its hook, the whole graph with the hook exposed and the graph cut
 * after it, run bare on windows tokenized beforehand: the floor {@link Transformer#extract} is
 * measured against. Public for {@code bench}, which times it; it needs the model's internals (its
 * graph store, input names, windowing and batching), which stay package-private.
 */
public final class BareGraphs implements AutoCloseable {
    /** Which graph to run. */
    public enum Graph {
        FULL,
        CUT
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final ModelInfo info;
    private final List<long[]> sequences;
    private final OrtSession.SessionOptions options;
    private final OrtSession full;
    private final OrtSession cut;

    private BareGraphs(
            ModelInfo info,
            List<long[]> sequences,
            OrtSession.SessionOptions options,
            OrtSession full,
            OrtSession cut) {
        this.info = info;
        this.sequences = sequences;
        this.options = options;
        this.full = full;
        this.cut = cut;
    }

    /** Both graphs of {@code transformer}'s hook on {@code threads} threads, over {@code texts}' windows. */
    public static BareGraphs open(Transformer transformer, List<String> texts, int threads) throws IOException {
        HookPoint hook = transformer.hook();
        String fullPath = transformer.store().full(hook).toString();
        String cutPath = transformer.store().cut(hook).toString();
        List<long[]> sequences = transformer.sequences(texts);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = OnnxSession.options(threads);
        OrtSession full = null;
        try {
            full = env.createSession(fullPath, options);
            return new BareGraphs(transformer.info(), sequences, options, full, env.createSession(cutPath, options));
        } catch (OrtException | RuntimeException e) {
            try {
                if (full != null) {
                    full.close();
                }
            } catch (OrtException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            options.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** Model positions in all windows, special tokens included, padding not. */
    public long tokens() {
        return sequences.stream().mapToLong(s -> s.length).sum();
    }

    /**
     * Nanoseconds for running every window through {@code graph}, {@code batchSize} at a time in
     * {@link Transformer#extract}'s order, after one warm-up batch; inputs made beforehand, outputs
     * released unread.
     */
    public long nanos(Graph graph, int batchSize) throws IOException {
        OrtSession session = graph == Graph.FULL ? full : cut;
        List<String> names = session.getInputNames().stream().toList();
        List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
        try {
            for (List<Integer> batch : Transformer.batches(sequences, batchSize)) {
                List<long[]> seqs = batch.stream().map(sequences::get).toList();
                int length = seqs.stream().mapToInt(s -> s.length).max().orElse(0);
                Map<String, OnnxTensor> feed = new HashMap<>();
                for (HostTensor t : info.feed(names, seqs, length)) {
                    feed.put(
                            t.name(),
                            t.data() instanceof int[] ints
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
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (Map<String, OnnxTensor> feed : feeds) {
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }

    @Override
    public void close() throws IOException {
        // in reverse: cut, full, then the options both were made with
        try (options;
                full;
                cut) {
            // nothing to do but close
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
        }
    }
}
