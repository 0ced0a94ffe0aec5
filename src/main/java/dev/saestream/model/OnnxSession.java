package dev.saestream.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX model loaded by DJL's ONNX Runtime engine. {@link #run} takes and returns plain
 * arrays; the translator copies the outputs out, so native memory is freed when it returns.
 * Thread-safe: each run gets its own predictor, and ONNX Runtime sessions may run concurrently.
 */
final class OnnxSession implements AutoCloseable {
    static final String ENGINE = "OnnxRuntime";
    /** Room for ONNX Runtime's start-up on command lines of up to a few hundred kilobytes; only touched pages cost memory. */
    private static final long STARTUP_STACK_BYTES = 512L << 20;

    private final Model model;
    private final OrtSession.SessionOptions options;
    private final List<String> inputs;

    private static boolean started;

    /**
     * Starts ONNX Runtime once per process, on a thread with a large stack, with telemetry off.
     * ONNX Runtime 1.29 matches regular expressions against the process command line when it starts
     * its telemetry, recursing once per character: a long {@code -cp} overflows the default 1 MB
     * stack and kills the JVM with no report (microsoft/onnxruntime#32173 is the same code path).
     * Its only off switch before start is the environment variable ORT_DISABLE_TELEMETRY, which
     * Java cannot set for its own process.
     */
    static synchronized void startRuntime() {
        if (started) {
            return;
        }
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                // DJL's engine creates the process's one ONNX Runtime environment; this thread only lends it stack.
                Engine.getEngine(ENGINE);
                OrtEnvironment.getEnvironment().setTelemetry(false);
            } catch (OrtException | RuntimeException | LinkageError e) {
                failure[0] = e;
            }
        }, "onnxruntime-start", STARTUP_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("cannot start ONNX Runtime: " + failure[0].getMessage(), failure[0]);
        }
        started = true;
    }

    private OnnxSession(Model model, OrtSession.SessionOptions options) {
        this.model = model;
        this.options = options;
        this.inputs = model.getBlock().describeInput().keys();
    }

    static OnnxSession open(Path file, int threads) throws IOException {
        startRuntime();
        OrtSession.SessionOptions options = options(threads);
        Model model = Model.newInstance(file.getFileName().toString(), ENGINE);
        try {
            String name = file.getFileName().toString();
            model.load(file.toAbsolutePath().getParent(), name.substring(0, name.length() - ".onnx".length()),
                    Map.of("sessionOptions", options));
            return new OnnxSession(model, options);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            options.close();
            throw new IOException("ONNX Runtime cannot load " + file + ": " + rootMessage(e), e);
        }
    }

    /** Loads a model held in memory (an edited graph that is not worth a file). */
    static OnnxSession open(byte[] onnx, String name, int threads) throws IOException {
        startRuntime();
        OrtSession.SessionOptions options = options(threads);
        Model model = Model.newInstance(name, ENGINE);
        try {
            model.load(new ByteArrayInputStream(onnx), Map.of("sessionOptions", options));
            return new OnnxSession(model, options);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            options.close();
            throw new IOException("ONNX Runtime cannot load " + name + ": " + rootMessage(e), e);
        }
    }

    static OrtSession.SessionOptions options(int threads) throws IOException {
        startRuntime();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return o;
        } catch (OrtException e) {
            o.close();
            throw new IOException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** The graph inputs the model needs, in order; every run must feed exactly these. */
    List<String> inputs() {
        return inputs;
    }

    /** Runs the model and copies out the outputs named in {@code fetch} (all when empty). */
    Map<String, Tensor> run(List<Tensor> feed, Set<String> fetch) {
        try (Predictor<List<Tensor>, Map<String, Tensor>> p = model.newPredictor(new Translator(fetch))) {
            return p.predict(feed);
        } catch (TranslateException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + rootMessage(e), e);
        }
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            options.close();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Arrays in, arrays out: the NDArrays live only inside the predictor's manager. */
    private static final class Translator implements NoBatchifyTranslator<List<Tensor>, Map<String, Tensor>> {
        private final Set<String> fetch;

        Translator(Set<String> fetch) {
            this.fetch = fetch;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, List<Tensor> feed) {
            NDManager m = ctx.getNDManager();
            NDList list = new NDList(feed.size());
            for (Tensor t : feed) {
                Shape shape = new Shape(t.shape());
                NDArray a;
                if (t.data() instanceof float[] f) {
                    a = m.create(f, shape);
                } else if (t.data() instanceof long[] l) {
                    a = m.create(l, shape);
                } else {
                    a = m.create((int[]) t.data(), shape);
                }
                a.setName(t.name());
                list.add(a);
            }
            return list;
        }

        @Override
        public Map<String, Tensor> processOutput(TranslatorContext ctx, NDList list) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                if (!fetch.isEmpty() && !fetch.contains(a.getName())) {
                    continue;
                }
                Object data = switch (a.getDataType()) {
                    case FLOAT32 -> a.toFloatArray();
                    case INT64 -> a.toLongArray();
                    case INT32 -> a.toIntArray();
                    default -> throw new IllegalStateException("output " + a.getName() + " has type " + a.getDataType()
                            + "; only float32, int64 and int32 outputs are read");
                };
                out.put(a.getName(), new Tensor(a.getName(), a.getShape().getShape(), data));
            }
            return out;
        }
    }
}
