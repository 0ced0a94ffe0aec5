package dev.saestream.model;

import dev.saestream.formats.Json;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import dev.saestream.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's cache directory: its tokenizer, what was learned from its graph
 * ({@value #INFO_FILE}) and the edited graphs (cut after a hook, full with a hook exposed,
 * from a hook onwards). Each is made once, on first use, and written atomically, so the next
 * start loads it directly. The directory name carries a hash of the source's location, size and
 * time, so a changed model never meets a stale cache.
 */
final class ModelStore {
    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
    static final String INFO_FILE = "model.json";
    /** Bump when the graph editing or hook finding changes what is written here. */
    private static final int FORMAT = 2;
    /** Token ids for the probe run that measures each hook's width: valid in any vocabulary. */
    private static final long[] PROBE_IDS = {1, 2, 3, 4, 5};

    private final ModelSource source;
    private final Path dir;
    private ModelProto original;

    private ModelStore(ModelSource source, Path dir) {
        this.source = source;
        this.dir = dir;
    }

    static ModelStore open(ModelSource source, Path cacheRoot) throws IOException {
        Path dir = cacheRoot.resolve(source.id() + "-" + hash(FORMAT + "|" + source.identity()));
        Files.createDirectories(dir);
        return new ModelStore(source, dir);
    }

    Path dir() {
        return dir;
    }

    /** The tokenizer.json, copied out of the jar on first use. */
    Path tokenizer() throws IOException {
        Path file = dir.resolve(ModelSource.TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            try (InputStream in = source.tokenizer().openStream()) {
                copyAtomically(in, file);
            }
        }
        return file;
    }

    /** Hooks, inputs and sizes: read from the cache, or found in the graph and measured by one probe run. */
    ModelInfo info(int threads) throws IOException {
        Path file = dir.resolve(INFO_FILE);
        if (Files.isRegularFile(file)) {
            return Json.MAPPER.readValue(file.toFile(), ModelInfo.class);
        }
        long t0 = System.nanoTime();
        ModelInfo info = inspect(original(), threads);
        byte[] json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(info);
        copyAtomically(new java.io.ByteArrayInputStream(json), file);
        log.info(
                "found {} hook points in {} ({} ms)",
                info.hooks().size(),
                source.id(),
                (System.nanoTime() - t0) / 1_000_000);
        return info;
    }

    /** The graph cut after {@code hook}: only the layers up to it. */
    Path cut(HookPoint hook) throws IOException {
        return variant("cut", hook, m -> OnnxGraph.cut(m, List.of(hook.tensor())));
    }

    /** The whole graph with {@code hook} as an extra output: same result as {@link #cut}, at the full cost. */
    Path full(HookPoint hook) throws IOException {
        return variant("full", hook, m -> OnnxGraph.expose(m, List.of(hook.tensor())));
    }

    /** The graph from {@code hook} (an input) to the model's output. */
    Path splice(HookPoint hook, String output) throws IOException {
        return variant("splice", hook, m -> OnnxGraph.from(m, hook.tensor(), hook.width(), List.of(output)));
    }

    private interface Edit {
        ModelProto apply(ModelProto model);
    }

    private Path variant(String kind, HookPoint hook, Edit edit) throws IOException {
        Path file = dir.resolve(kind + "-" + hook.alias() + "-" + hash(hook.tensor()) + ".onnx");
        if (!Files.isRegularFile(file)) {
            long t0 = System.nanoTime();
            OnnxGraph.save(edit.apply(original()), file);
            log.info("wrote {} ({} ms)", file, (System.nanoTime() - t0) / 1_000_000);
        }
        return file;
    }

    private ModelProto original() throws IOException {
        if (original == null) {
            try (InputStream in = source.onnx().openStream()) {
                original = OnnxGraph.load(in, source.onnx().toString());
            }
        }
        return original;
    }

    private ModelInfo inspect(ModelProto model, int threads) throws IOException {
        List<HookFinder.Found> found = HookFinder.find(model.getGraph());
        Map<String, String> inputs = new LinkedHashMap<>();
        Set<String> initializers = new LinkedHashSet<>();
        model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
        for (ValueInfoProto in : model.getGraph().getInputList()) {
            if (!initializers.contains(in.getName())) {
                inputs.put(in.getName(), elementType(in));
            }
        }
        List<String> outputs = model.getGraph().getOutputList().stream()
                .map(ValueInfoProto::getName)
                .toList();
        Set<String> probe = new LinkedHashSet<>(outputs);
        found.forEach(f -> probe.add(f.tensor()));
        // The provisional info validates the inputs before anything runs.
        boolean batchCoupled = model.getGraph().getNodeList().stream()
                .anyMatch(n -> n.getOpType().equals("DynamicQuantizeLinear"));
        ModelInfo partial = new ModelInfo(
                source.id(), OnnxGraph.opset(model), source.maxTokens(), inputs, "", 0, List.of(), batchCoupled);
        Map<String, HostTensor> shapes;
        byte[] exposed = OnnxGraph.expose(model, probe).toByteArray();
        try (OnnxSession session = OnnxSession.open(exposed, source.id() + "-probe", threads)) {
            shapes = session.run(partial.feed(session.inputs(), List.of(PROBE_IDS), PROBE_IDS.length), Set.of());
        }
        String output = null;
        for (String o : outputs) {
            if (perTokenWidth(shapes.get(o)) > 0) {
                output = o;
                break;
            }
        }
        if (output == null) {
            throw new IllegalArgumentException(
                    "model " + source.id() + " has no per-token output [batch, sequence, width]" + " among " + outputs);
        }
        List<HookPoint> hooks = new ArrayList<>();
        for (HookFinder.Found f : found) {
            int width = perTokenWidth(shapes.get(f.tensor()));
            if (width > 0) {
                hooks.add(HookPoint.of(f.layer(), f.kind(), f.tensor(), width));
            } else {
                log.debug("skipping {} of layer {}: {} is not per token", f.kind(), f.layer(), f.tensor());
            }
        }
        if (hooks.isEmpty()) {
            log.warn("found no transformer blocks in {}; only its output can be read", source.id());
        }
        return new ModelInfo(
                source.id(),
                partial.opset(),
                source.maxTokens(),
                inputs,
                output,
                perTokenWidth(shapes.get(output)),
                hooks,
                batchCoupled);
    }

    /** The last dimension of a {@code [1, PROBE_IDS.length, width]} float tensor, else 0. */
    private static int perTokenWidth(HostTensor t) {
        if (t == null
                || !(t.data() instanceof float[])
                || t.shape().length != 3
                || t.shape()[0] != 1
                || t.shape()[1] != PROBE_IDS.length) {
            return 0;
        }
        return Math.toIntExact(t.shape()[2]);
    }

    private static String elementType(ValueInfoProto v) {
        int t = v.getType().getTensorType().getElemType();
        if (t == TensorProto.DataType.INT64_VALUE) {
            return ModelInfo.INT64;
        }
        if (t == TensorProto.DataType.INT32_VALUE) {
            return ModelInfo.INT32;
        }
        return TensorProto.DataType.forNumber(t) == null
                ? "type " + t
                : TensorProto.DataType.forNumber(t).name().toLowerCase();
    }

    private static void copyAtomically(InputStream in, Path file) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
