package dev.saestream.cli;

import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.OnnxSaeEncoder;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEncoder;
import dev.saestream.sae.SaeEncoders;
import dev.saestream.sae.SparseCode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream sae encode}: activations in, sparse codes out as .npy files NumPy can check. */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        description = "Encode activations (acts.npy) with an SAE; writes indices.npy (int32, -1 padded) and"
                + " values.npy (float32), both [tokens x k_max], and with --dense dense.npy [tokens x d_sae].")
public final class SaeEncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    enum EncoderKind {
        onnx,
        java,
        reference
    }

    /** Tokens per encode call, so progress moves and memory stays bounded. */
    private static final int CHUNK = 4096;

    @Option(names = "--sae", required = true, description = "SAELens directory (cfg.json, sae_weights.safetensors)")
    Path saeDir;

    @Option(names = "--input", required = true, description = "activations, a [tokens x d_in] float .npy")
    Path input;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--dense", description = "also write dense.npy [tokens x d_sae] float32")
    boolean dense;

    @Option(
            names = "--encoder",
            defaultValue = "onnx",
            description = "onnx (default), java or reference: ${COMPLETION-CANDIDATES}")
    EncoderKind encoder;

    @Option(names = "--threads", description = "threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter printed = spec.commandLine().getOut();
        Sae sae = Sae.load(saeDir);
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        NpyArray acts = Activations.read(input, dIn, sae.config());
        int rows = acts.rows();
        int t = threads == null ? SaeEncoders.allThreads() : threads;
        SparseCode[] codes = new SparseCode[rows];
        long start = System.nanoTime();
        long overflow = 0;
        try (SaeEncoder enc = switch (encoder) {
                    case onnx -> SaeEncoders.onnx(sae, t, OnnxSaeEncoder.DEFAULT_K_MAX);
                    case java -> SaeEncoders.blocked(sae, t);
                    case reference -> SaeEncoders.reference(sae);
                };
                Progress bar = Progress.start("encode", rows, "tokens", null)) {
            for (int from = 0; from < rows; from += CHUNK) {
                int n = Math.min(CHUNK, rows - from);
                SparseCode[] part = enc.encode(Arrays.copyOfRange(acts.floats(), from * dIn, (from + n) * dIn), n);
                System.arraycopy(part, 0, codes, from, n);
                bar.stepTo(from + n);
            }
            if (enc instanceof OnnxSaeEncoder o) {
                overflow = o.overflowTokens();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int kMax = sae.config().k();
        long active = 0;
        for (SparseCode c : codes) {
            kMax = Math.max(kMax, c.size());
            active += c.size();
        }
        kMax = Math.max(kMax, 1);
        int[] indices = new int[rows * kMax];
        float[] values = new float[rows * kMax];
        Arrays.fill(indices, -1);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(codes[r].indices(), 0, indices, r * kMax, codes[r].size());
            System.arraycopy(codes[r].values(), 0, values, r * kMax, codes[r].size());
        }
        Files.createDirectories(out);
        Npy.writeInts(out.resolve("indices.npy"), indices, rows, kMax);
        Npy.writeFloats(out.resolve("values.npy"), values, rows, kMax);
        if (dense) {
            try (Npy.Writer w = new Npy.Writer(out.resolve("dense.npy"), dSae)) {
                float[] row = new float[dSae];
                for (SparseCode c : codes) {
                    Arrays.fill(row, 0f);
                    for (int i = 0; i < c.size(); i++) {
                        row[c.indices()[i]] = c.values()[i];
                    }
                    w.append(row, 0, dSae);
                }
            }
        }
        printed.printf(
                "encoded %,d tokens with %s in %.2f s (%,.0f tokens/s, %s encoder): mean L0 %.2f, k_max %d%n",
                rows, sae.id(), seconds, rows / seconds, encoder, rows == 0 ? 0.0 : active / (double) rows, kMax);
        if (overflow > 0) {
            printed.printf(
                    "%,d tokens had more than %d active features; they were encoded exactly in Java%n",
                    overflow, OnnxSaeEncoder.DEFAULT_K_MAX);
        }
        printed.printf(
                "wrote %s, %s%s%n",
                out.resolve("indices.npy"), out.resolve("values.npy"), dense ? ", " + out.resolve("dense.npy") : "");
        return ExitCode.OK;
    }
}
