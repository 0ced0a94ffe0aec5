package dev.saestream.encode;

import dev.saestream.model.Head;
import dev.saestream.model.HeadValues;
import dev.saestream.model.HookPoint;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.OnnxGraph;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import dev.saestream.model.onnx.Onnx;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeOnnx;
import dev.saestream.sae.SparseCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real encoder: the transformer cut after the hook with the SAE's encoder appended as a head,
 * so one ONNX Runtime run per document gives both the hook activations and the sparse codes. The
 * activations are kept for the reconstruction error and for exact re-encoding of the rare tokens
 * whose active features exceed kMax (variable-L0 SAEs only).
 */
public final class SaeDocumentEncoder implements DocumentEncoder {
    private static final Logger log = LoggerFactory.getLogger(SaeDocumentEncoder.class);

    private final Transformer transformer;
    private final Sae sae;
    private final String saeId;
    private final SaeOnnx.Fragment fragment;
    private final CodesFormat.Precision precision;
    private final AtomicLong overflowTokens = new AtomicLong();

    private SaeDocumentEncoder(Transformer transformer, Sae sae, String saeId, SaeOnnx.Fragment fragment,
                               CodesFormat.Precision precision) {
        this.transformer = transformer;
        this.sae = sae;
        this.saeId = saeId;
        this.fragment = fragment;
        this.precision = precision;
    }

    /**
     * Opens {@code model} at the SAE's hook with the SAE appended. The SAE's own hook wins over
     * the model config's default; an explicit, different hook is an error.
     */
    public static SaeDocumentEncoder open(ModelConfig model, Sae sae, EncodeConfig config) throws IOException {
        HookPoint hook = hookFor(model, sae);
        if (hook.width() != sae.config().dIn()) {
            throw new IllegalArgumentException("the SAE takes " + sae.config().dIn() + "-wide activations but hook "
                    + hook.alias() + " of " + modelId(model) + " is " + hook.width() + " wide");
        }
        ModelConfig atHook = model.withHook(hook.alias());
        int kMax = sae.config().architecture() == Architecture.TOPK ? sae.config().k() : config.kMax();
        SaeOnnx.Fragment fragment = SaeOnnx.encoderFragment(sae, Head.INPUT, "sae/", kMax);
        List<Onnx.ValueInfoProto> outputs = new ArrayList<>(List.of(
                OnnxGraph.perToken(fragment.valuesOutput(), Onnx.TensorProto.DataType.FLOAT, kMax),
                OnnxGraph.perToken(fragment.indicesOutput(), Onnx.TensorProto.DataType.INT64, kMax)));
        if (fragment.activeCountOutput() != null) {
            outputs.add(OnnxGraph.perToken(fragment.activeCountOutput(), Onnx.TensorProto.DataType.FLOAT, 1));
        }
        Transformer transformer = Transformer.open(atHook, new Head(fragment.nodes(), fragment.initializers(), outputs, true));
        String id = config.saeId() == null || config.saeId().isBlank() ? sae.id() : config.saeId();
        String trainedOn = sae.config().modelName();
        if (trainedOn != null && !trainedOn.isBlank() && !trainedOn.equals(transformer.modelId())) {
            log.warn("the SAE was trained on {} but runs on {}", trainedOn, transformer.modelId());
        }
        return new SaeDocumentEncoder(transformer, sae, id, fragment, config.precision());
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
        if (!wanted.equals(configured) && !model.hook().equals(ModelConfig.defaults().hook())) {
            throw new IllegalArgumentException("the SAE was trained at hook " + saeHook + " (" + wanted.alias()
                    + ") but model.hook is " + model.hook() + "; remove model.hook or set it to " + wanted.alias());
        }
        return wanted;
    }

    private static String modelId(ModelConfig model) {
        return model.dir() != null ? model.dir() : model.name();
    }

    @Override
    public String saeId() {
        return saeId;
    }

    public Transformer transformer() {
        return transformer;
    }

    public Sae sae() {
        return sae;
    }

    /** Tokens whose active features exceeded kMax and were re-encoded exactly. */
    public long overflowTokens() {
        return overflowTokens.get();
    }

    @Override
    public DocumentCodes encode(String docId, String text) throws EncodeException {
        TokenActivations t = transformer.extract(List.of(text)).get(0);
        int n = t.size();
        if (n == 0) {
            throw new EncodeException(EncodeException.EMPTY, "the text has no tokens once special tokens are removed");
        }
        float[] x = t.activations();
        int width = t.width();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new EncodeException(EncodeException.NON_FINITE, "the transformer gave " + x[i] + " at token "
                        + (i / width) + " (" + t.tokens().get(i / width) + ")");
            }
        }
        SparseCode[] codes = codes(t, n);
        ReconstructionStats exact = reconstruction(x, codes, n, width);
        int[] clamped = new int[1];
        SparseCode[] stored = new SparseCode[n];
        for (int i = 0; i < n; i++) {
            stored[i] = CodesFormat.round(codes[i], precision, clamped);
        }
        ReconstructionStats stats = new ReconstructionStats(exact.tokens(), exact.squaredError(), exact.squaredNorm(),
                exact.cosineSum(), clamped[0]);
        return DocumentCodes.of(saeId, docId, text, t.tokens().toArray(String[]::new), t.starts(), t.ends(), stored, stats);
    }

    private SparseCode[] codes(TokenActivations t, int n) {
        HeadValues values = t.head().get(fragment.valuesOutput());
        HeadValues indices = t.head().get(fragment.indicesOutput());
        long[] idx = new long[indices.ints().length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices.ints()[i];
        }
        float[] counts = fragment.activeCountOutput() == null ? null : t.head().get(fragment.activeCountOutput()).floats();
        SaeOnnx.Decoded decoded = SaeOnnx.codes(values.floats(), idx, counts, n, fragment.kMax());
        SparseCode[] codes = decoded.codes();
        for (int row : decoded.overflowRows()) {
            codes[row] = sae.encode(Arrays.copyOfRange(t.activations(), row * t.width(), (row + 1) * t.width()), 1)[0];
        }
        overflowTokens.addAndGet(decoded.overflowRows().length);
        return codes;
    }

    private ReconstructionStats reconstruction(float[] x, SparseCode[] codes, int n, int width) {
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
