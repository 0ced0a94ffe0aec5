package dev.saestream.cli;

import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.SaeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** An activations file ({@code acts.npy}, [tokens × width] float) checked against what reads it. */
final class Activations {
    private Activations() {}

    /** Reads a 2-D float array; {@code width} 0 accepts any width. */
    static NpyArray read(Path path, int width, SaeConfig sae) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("activations file " + path + " does not exist");
        }
        NpyArray a = Npy.read(path);
        if (a.shape().length != 2 || a.floats() == null) {
            throw new IllegalArgumentException(path + " must be a 2-D float array [tokens × width], got " + a.dtype()
                    + " of shape " + Arrays.toString(a.shape()));
        }
        if (width > 0 && a.cols() != width) {
            throw new IllegalArgumentException(path + " has " + a.cols() + " columns but the SAE's d_in is " + width
                    + (sae != null && sae.hookName() != null ? " (hook " + sae.hookName() + ")" : "")
                    + ": the activations come from another hook or model");
        }
        return a;
    }
}
