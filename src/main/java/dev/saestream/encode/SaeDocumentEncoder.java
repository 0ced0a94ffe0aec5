package dev.saestream.encode;

import dev.saestream.model.Head;
import dev.saestream.model.HeadValues;
import dev.saestream.model.HookPoint;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.OnnxGraph;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import dev.saestream.model.onnx.Onnx;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeOnnx;
import dev.saestream.sae.SparseCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real encoder: the transformer cut after the hook with the SAE's encoder appended as a head,
 * so one ONNX Runtime run per document gives both the hook activations and the sparse codes. The
 * activations are kept for the reconstruction error and for exact re-encoding of the rare tokens
 * whose active features exceed kMax (variable-L0 SAEs only).
 *
 * <p>Several SAEs share one pass: the graph is cut after the deepest of their hooks, each SAE's
 * encoder reads its own hook's tensor, and a shallower hook's activations come out as an extra
 * output; so another SAE costs its head, not another transformer run.
 */
public final class SaeDocumentEncoder implements DocumentEncoder {
    private static final Logger log = LoggerFactory.getLogger(SaeDocumentEncoder.class);

    /** One SAE in the pass: its id, its hook, and its encoder's tensors in the graph. */
    private record SaeHead(Sae sae, String saeId, HookPoint hook, boolean atDeepest, SaeOnnx.Fragment fragment) {}

    private final Transformer transformer;
    private final List<SaeHead> heads;
    private final CodesFormat.Precision precision;
    private final AtomicLong overflowTokens = new AtomicLong();

    private SaeDocumentEncoder(Transformer transformer, List<SaeHead> heads, CodesFormat.Precision precision) {
        this.transformer = transformer;
        this.heads = List.copyOf(heads);
        this.precision = precision;
    }

    /**
     * Opens {@code model} at the SAE's hook with the SAE appended. The SAE's own hook wins over
     * the model config's default; an explicit, different hook is an error.
     */
    public static SaeDocumentEncoder open(ModelConfig model, Sae sae, EncodeConfig config) throws IOException {
        return open(model, List.of(sae), config);
    }

    /** Opens {@code model} cut after the deepest of the SAEs' hooks, with every SAE's encoder appended. */
    public static SaeDocumentEncoder open(ModelConfig model, List<Sae> saes, EncodeConfig config) throws IOException {
        if (saes.isEmpty()) {
            throw new IllegalArgumentException("give at least one SAE");
        }
        boolean overridden = config.saeId() != null && !config.saeId().isBlank();
        if (overridden && saes.size() > 1) {
            throw new IllegalArgumentException("encode.saeId names one SAE, but " + saes.size() + " SAEs are given;"
                    + " set each SAE's id in its cfg.json (metadata saestream_id) instead");
        }
        List<HookPoint> all = Transformer.hooks(model);
        List<HookPoint> hooks = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        HookPoint deepest = null;
        for (Sae sae : saes) {
            HookPoint hook = hookFor(model, sae);
            if (hook.width() != sae.config().dIn()) {
                throw new IllegalArgumentException(
                        "the SAE takes " + sae.config().dIn() + "-wide activations but hook " + hook.alias() + " of "
                                + modelId(model) + " is " + hook.width() + " wide");
            }
            String id = overridden ? config.saeId() : sae.id();
            if (!ids.add(id)) {
                throw new IllegalArgumentException("two of the SAEs have the id " + id + "; their features would mix");
            }
            hooks.add(hook);
            if (deepest == null || all.indexOf(hook) > all.indexOf(deepest)) {
                deepest = hook;
            }
        }
        List<SaeHead> heads = new ArrayList<>();
        List<Onnx.NodeProto> nodes = new ArrayList<>();
        List<Onnx.TensorProto> initializers = new ArrayList<>();
        List<Onnx.ValueInfoProto> outputs = new ArrayList<>();
        Set<String> shallowHooks = new HashSet<>();
        for (int i = 0; i < saes.size(); i++) {
            Sae sae = saes.get(i);
            HookPoint hook = hooks.get(i);
            boolean atDeepest = hook.equals(deepest);
            int kMax = sae.config().architecture().usesK() ? sae.config().k() : config.kMax();
            // one SAE keeps the tensor names it always had
            SaeOnnx.Fragment fragment = SaeOnnx.encoderFragment(
                    sae, atDeepest ? Head.INPUT : hook.tensor(), saes.size() == 1 ? "sae/" : "sae" + i + "/", kMax);
            nodes.addAll(fragment.nodes());
            initializers.addAll(fragment.initializers());
            outputs.add(OnnxGraph.perToken(fragment.valuesOutput(), Onnx.TensorProto.DataType.FLOAT, kMax));
            outputs.add(OnnxGraph.perToken(fragment.indicesOutput(), Onnx.TensorProto.DataType.INT64, kMax));
            if (fragment.activeCountOutput() != null) {
                outputs.add(OnnxGraph.perToken(fragment.activeCountOutput(), Onnx.TensorProto.DataType.FLOAT, 1));
            }
            if (!atDeepest && shallowHooks.add(hook.tensor())) {
                outputs.add(OnnxGraph.perToken(hook.tensor(), Onnx.TensorProto.DataType.FLOAT, hook.width()));
            }
            heads.add(new SaeHead(sae, overridden ? config.saeId() : sae.id(), hook, atDeepest, fragment));
        }
        Transformer transformer =
                Transformer.open(model.withHook(deepest.alias()), new Head(nodes, initializers, outputs, true));
        for (SaeHead h : heads) {
            String trainedOn = h.sae().config().modelName();
            if (trainedOn != null && !trainedOn.isBlank() && !trainedOn.equals(transformer.modelId())) {
                log.warn("SAE {} was trained on {} but runs on {}", h.saeId(), trainedOn, transformer.modelId());
            }
        }
        return new SaeDocumentEncoder(transformer, heads, config.precision());
    }

    /** The hook to run at: the SAE's, unless the model config names a different one explicitly. */
    public static HookPoint hookFor(ModelConfig model, Sae sae) throws IOException {
        List<HookPoint> hooks = Transformer.hooks(model);
        HookPoint configured = HookPoint.find(hooks, model.hook(), modelId(model));
        String saeHook = sae.config().hookName();
        if (saeHook == null || saeHook.isBlank()) {
            return configured;
        }
        HookPoint wanted = HookPoint.find(hooks, saeHook, modelId(model));
        if (!wanted.equals(configured)
                && !model.hook().equals(ModelConfig.defaults().hook())) {
            throw new IllegalArgumentException("the SAE was trained at hook " + saeHook + " (" + wanted.alias()
                    + ") but model.hook is " + model.hook() + "; remove model.hook or set it to " + wanted.alias());
        }
        return wanted;
    }

    private static String modelId(ModelConfig model) {
        return model.dir() != null ? model.dir() : model.name();
    }

    /** The first SAE's id (the only one, unless several share the pass). */
    @Override
    public String saeId() {
        return heads.get(0).saeId();
    }

    /** Every SAE's id, in the order given. */
    @Override
    public List<String> saeIds() {
        return heads.stream().map(SaeHead::saeId).toList();
    }

    public Transformer transformer() {
        return transformer;
    }

    /** The first SAE. */
    public Sae sae() {
        return heads.get(0).sae();
    }

    /** Every SAE, in the order given. */
    public List<Sae> saes() {
        return heads.stream().map(SaeHead::sae).toList();
    }

    /** The hook each SAE reads, in the order given. */
    public List<HookPoint> hooks() {
        return heads.stream().map(SaeHead::hook).toList();
    }

    /** Tokens whose active features exceeded kMax and were re-encoded exactly. */
    public long overflowTokens() {
        return overflowTokens.get();
    }

    @Override
    public DocumentCodes encode(String docId, String text) throws EncodeException {
        return encodeAll(docId, text).get(0);
    }

    /** One transformer run, then every SAE's codes, in the order the SAEs were given. */
    @Override
    public List<DocumentCodes> encodeAll(String docId, String text) throws EncodeException {
        TokenActivations t = transformer.extract(List.of(text)).get(0);
        int n = t.size();
        if (n == 0) {
            throw new EncodeException(EncodeException.EMPTY, "the text has no tokens once special tokens are removed");
        }
        List<DocumentCodes> out = new ArrayList<>(heads.size());
        for (SaeHead h : heads) {
            float[] x = h.atDeepest()
                    ? t.activations()
                    : t.head().get(h.hook().tensor()).floats();
            int width = h.hook().width();
            for (int i = 0; i < x.length; i++) {
                if (!Float.isFinite(x[i])) {
                    throw new EncodeException(
                            EncodeException.NON_FINITE,
                            "the transformer gave " + x[i] + " at token " + (i / width) + " ("
                                    + t.tokens().get(i / width) + ") of hook "
                                    + h.hook().alias());
                }
            }
            SparseCode[] codes = codes(h, t, x, n);
            ReconstructionStats exact = reconstruction(h.sae(), x, codes, n, width);
            int[] clamped = new int[1];
            SparseCode[] stored = new SparseCode[n];
            for (int i = 0; i < n; i++) {
                stored[i] = CodesFormat.round(codes[i], precision, clamped);
            }
            ReconstructionStats stats = new ReconstructionStats(
                    exact.tokens(), exact.squaredError(), exact.squaredNorm(), exact.cosineSum(), clamped[0]);
            out.add(DocumentCodes.of(
                    h.saeId(), docId, text, t.tokens().toArray(String[]::new), t.starts(), t.ends(), stored, stats));
        }
        return out;
    }

    private SparseCode[] codes(SaeHead h, TokenActivations t, float[] x, int n) {
        SaeOnnx.Fragment fragment = h.fragment();
        HeadValues values = t.head().get(fragment.valuesOutput());
        HeadValues indices = t.head().get(fragment.indicesOutput());
        long[] idx = new long[indices.ints().length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices.ints()[i];
        }
        float[] counts = fragment.activeCountOutput() == null
                ? null
                : t.head().get(fragment.activeCountOutput()).floats();
        SaeOnnx.Decoded decoded = SaeOnnx.codes(values.floats(), idx, counts, n, fragment.kMax());
        SparseCode[] codes = decoded.codes();
        int width = h.hook().width();
        for (int row : decoded.overflowRows()) {
            codes[row] = h.sae().encode(Arrays.copyOfRange(x, row * width, (row + 1) * width), 1)[0];
        }
        overflowTokens.addAndGet(decoded.overflowRows().length);
        return codes;
    }

    private static ReconstructionStats reconstruction(Sae sae, float[] x, SparseCode[] codes, int n, int width) {
        float[] xhat = sae.decode(codes, x);
        double sse = 0;
        double norm = 0;
        double cos = 0;
        for (int i = 0; i < n; i++) {
            double dot = 0;
            double xx = 0;
            double hh = 0;
            double err = 0;
            for (int j = i * width; j < (i + 1) * width; j++) {
                double a = x[j];
                double b = xhat[j];
                dot += a * b;
                xx += a * a;
                hh += b * b;
                err += (a - b) * (a - b);
            }
            sse += err;
            norm += xx;
            cos += xx == 0 || hh == 0 ? 0 : dot / Math.sqrt(xx * hh);
        }
        return new ReconstructionStats(n, sse, norm, cos, 0);
    }

    @Override
    public void close() {
        transformer.close();
    }
}
