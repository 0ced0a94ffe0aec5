package dev.saestream.sae;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.saestream.model.OnnxRuntime;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder as a small ONNX graph ({@link SaeOnnx#encoderModel}) run by ONNX Runtime, whose
 * MLAS kernels do the matrix product and the top-k. For variable-L0 architectures a token with
 * more than kMax active features is re-encoded exactly in Java and counted.
 */
public final class OnnxSaeEncoder implements SaeEncoder {
    /** Default kMax for variable-L0 SAEs; tokens above it are rare and re-encoded, not truncated. */
    public static final int DEFAULT_K_MAX = 128;
    /** Tokens per session run: big enough to amortise the call, small enough to stay in cache. */
    static final int CHUNK_ROWS = 256;

    private static final Logger log = LoggerFactory.getLogger(OnnxSaeEncoder.class);

    private final Sae sae;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final SaeOnnx.Fragment fragment;
    private final int threads;
    private final SaeEncoder exact;
    private final AtomicLong overflowTokens = new AtomicLong();

    /** {@code threads} ONNX Runtime intra-op threads; {@code kMax} ignored for topk. */
    public OnnxSaeEncoder(Sae sae, int threads, int kMax) {
        this.sae = sae;
        this.threads = threads;
        int k = sae.config().architecture().usesK()
                ? sae.config().k()
                : Math.min(kMax, sae.config().dSae());
        this.fragment = SaeOnnx.encoderFragment(sae, "activations", "sae/", k);
        this.env = OnnxRuntime.environment();
        try (OrtSession.SessionOptions opts = OnnxRuntime.sessionOptions(threads)) {
            this.session = env.createSession(SaeOnnx.encoderModel(sae, k).toByteArray(), opts);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot build the SAE encoder: " + e.getMessage(), e);
        }
        this.exact = new BlockedEncoder(sae, 1);
    }

    @Override
    public String name() {
        return "onnxruntime-" + threads + "t";
    }

    /** Tokens so far that had more than kMax active features (re-encoded exactly in Java). */
    public long overflowTokens() {
        return overflowTokens.get();
    }

    @Override
    public SparseCode[] encode(float[] x, int rows) {
        SaeMath.checkInput(sae, x, rows);
        int d = sae.config().dIn();
        int k = fragment.kMax();
        SparseCode[] out = new SparseCode[rows];
        for (int from = 0; from < rows; from += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - from);
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, from * d, n * d), new long[] {n, d});
                    OrtSession.Result res = session.run(Map.of("activations", in))) {
                float[] values = new float[n * k];
                long[] indices = new long[n * k];
                ((OnnxTensor) res.get(fragment.valuesOutput()).get())
                        .getFloatBuffer()
                        .get(values);
                LongBuffer ib = ((OnnxTensor) res.get(fragment.indicesOutput()).get()).getLongBuffer();
                ib.get(indices);
                float[] counts = null;
                if (fragment.activeCountOutput() != null) {
                    counts = new float[n];
                    ((OnnxTensor) res.get(fragment.activeCountOutput()).get())
                            .getFloatBuffer()
                            .get(counts);
                }
                SaeOnnx.Decoded decoded = SaeOnnx.codes(values, indices, counts, n, k);
                System.arraycopy(decoded.codes(), 0, out, from, n);
                for (int r : decoded.overflowRows()) {
                    float[] row = java.util.Arrays.copyOfRange(x, (from + r) * d, (from + r + 1) * d);
                    out[from + r] = exact.encode(row, 1)[0];
                }
                if (decoded.overflowRows().length > 0) {
                    long total = overflowTokens.addAndGet(decoded.overflowRows().length);
                    log.debug(
                            "{} tokens had more than kMax={} active features (total {}); re-encoded in Java",
                            decoded.overflowRows().length,
                            k,
                            total);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed to encode: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            log.debug("closing the SAE encoder session failed", e);
        }
    }
}
