package dev.saestream.export;

import dev.saestream.formats.Safetensors;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The SAE as a SAELens directory: {@code cfg.json} and {@code sae_weights.safetensors} copied
 * byte for byte, and {@code sparsity.safetensors} recomputed from what the catalogue observed.
 * SAELens's trainer saves its {@code log_feature_sparsity}, {@code log10(feature_sparsity + 1e-10)},
 * as one float32 tensor named {@code sparsity} of shape [d_sae]; a feature that never fired gets
 * {@code log10(1e-10) = -10}. Here feature_sparsity is the feature's density on the topic
 * (activating tokens / tokens seen at its last emission), computed in double and stored as float32.
 */
final class SaeLensExport {
    /** SAELens's epsilon inside the log: a feature that never fired gets log10(1e-10) = -10. */
    static final double EPSILON = 1e-10;

    static final String SPARSITY_TENSOR = "sparsity";

    private SaeLensExport() {}

    /** log10(density + 1e-10), SAELens's stored sparsity. */
    static float logSparsity(double density) {
        return (float) Math.log10(density + EPSILON);
    }

    static ExportSummary write(
            CatalogueSnapshot snapshot, Sae sae, Path saeDir, Path out, LongConsumer progress, List<String> notes)
            throws IOException {
        long started = System.nanoTime();
        int dSae = sae.config().dSae();
        float[] sparsity = new float[dSae];
        java.util.Arrays.fill(sparsity, logSparsity(0));
        long done = 0;
        for (int index : snapshot.indices()) {
            sparsity[index] = logSparsity(snapshot.feature(index).density());
            progress.accept(++done);
        }
        Files.createDirectories(out);
        long bytes = 0;
        for (String file : List.of(Sae.CFG_FILE, Sae.WEIGHTS_FILE)) {
            Files.copy(saeDir.resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            bytes += Files.size(out.resolve(file));
        }
        Path sparsityFile = out.resolve(Sae.SPARSITY_FILE);
        Safetensors.write(
                sparsityFile, Map.of(SPARSITY_TENSOR, Safetensors.Tensor.f32(sparsity, dSae)), Map.of("format", "pt"));
        bytes += Files.size(sparsityFile);
        if (snapshot.size() < dSae) {
            notes = new java.util.ArrayList<>(notes);
            notes.add(String.format(
                    java.util.Locale.ROOT,
                    "%,d of %,d features never fired in the catalogue: their sparsity is"
                            + " log10(1e-10) = -10, as SAELens writes for dead features",
                    dSae - snapshot.size(),
                    dSae));
        }
        return new ExportSummary(
                snapshot.saeId(),
                ExportFormat.SAELENS,
                out,
                snapshot.size(),
                0,
                0,
                0,
                3,
                bytes,
                (System.nanoTime() - started) / 1_000_000,
                notes);
    }
}
