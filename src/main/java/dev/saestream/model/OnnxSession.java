package dev.saestream.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
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
    private final Model model;
    private final OrtSession.SessionOptions options;
    private final List<String> inputs;

    private OnnxSession(Model model, OrtSession.SessionOptions options) {
        this.model = model;
        this.options = options;
        this.inputs = model.getBlock().describeInput().keys();
    }

    static OnnxSession open(Path file, int threads) throws IOException {
        return open(file, threads, OnnxDevice.CPU);
    }

    /** The same, run on {@code device}. */
    static OnnxSession open(Path file, int threads, OnnxDevice device) throws IOException {
        OnnxRuntime.environment();
        OrtSession.SessionOptions options = options(threads, device);
        Model model = Model.newInstance(file.getFileName().toString(), OnnxRuntime.ENGINE);
        try {
            String name = file.getFileName().toString();
            model.load(
                    file.toAbsolutePath().getParent(),
                    name.substring(0, name.length() - ".onnx".length()),
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
        return open(onnx, name, threads, OnnxDevice.CPU);
    }

    /** The same, run on {@code device}. */
    static OnnxSession open(byte[] onnx, String name, int threads, OnnxDevice device) throws IOException {
        OnnxRuntime.environment();
        OrtSession.SessionOptions options = options(threads, device);
        Model model = Model.newInstance(name, OnnxRuntime.ENGINE);
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
        return options(threads, OnnxDevice.CPU);
    }

    static OrtSession.SessionOptions options(int threads, OnnxDevice device) throws IOException {
        OrtSession.SessionOptions o;
        try {
            o = OnnxRuntime.sessionOptions(threads);
        } catch (OrtException e) {
            throw new IOException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
        try {
            device.addTo(o);
            return o;
        } catch (IOException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** The graph inputs the model needs, in order; every run must feed exactly these. */
    List<String> inputs() {
        return inputs;
    }

    /** Runs the model and copies out the outputs named in {@code fetch} (all when empty). */
    Map<String, HostTensor> run(List<HostTensor> feed, Set<String> fetch) {
        try (Predictor<List<HostTensor>, Map<String, HostTensor>> p = model.newPredictor(new Translator(fetch))) {
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
    private static final class Translator implements NoBatchifyTranslator<List<HostTensor>, Map<String, HostTensor>> {
        private final Set<String> fetch;

        Translator(Set<String> fetch) {
            this.fetch = fetch;
        }

        @Override
        public NDList processInput(TranslatorContext ctx, List<HostTensor> feed) {
            NDManager m = ctx.getNDManager();
            NDList list = new NDList(feed.size());
            for (HostTensor t : feed) {
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
        public Map<String, HostTensor> processOutput(TranslatorContext ctx, NDList list) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                if (!fetch.isEmpty() && !fetch.contains(a.getName())) {
                    continue;
                }
                Object data = switch (a.getDataType()) {
                    case FLOAT32 -> a.toFloatArray();
                    case INT64 -> a.toLongArray();
                    case INT32 -> a.toIntArray();
                    default ->
                        throw new IllegalStateException("output " + a.getName() + " has type " + a.getDataType()
                                + "; only float32, int64 and int32 outputs are read");
                };
                out.put(a.getName(), new HostTensor(a.getName(), a.getShape().getShape(), data));
            }
            return out;
        }
    }
}
