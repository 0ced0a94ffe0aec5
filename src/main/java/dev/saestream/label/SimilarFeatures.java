package dev.saestream.label;

import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Features ranked by the cosine similarity of their decoder directions: features whose directions
 * are close tend to fire in similar contexts, so windows where they fire and this one does not
 * make hard negatives. Built from the decoder matrix {@code W_dec}, {@code [d_sae × d_in]} row-major,
 * read from a .npy file or an SAE directory; the matrix is read in place, not copied.
 */
public final class SimilarFeatures {
    private final FloatBuffer decoder;
    private final int features;
    private final int width;
    private final double[] norms;

    public SimilarFeatures(float[] decoder, int features, int width) {
        this(decoder == null ? null : FloatBuffer.wrap(decoder), features, width);
    }

    public SimilarFeatures(FloatBuffer decoder, int features, int width) {
        if (decoder == null || features <= 0 || width <= 0 || decoder.remaining() != (long) features * width) {
            throw new IllegalArgumentException("decoder must hold d_sae × d_in = " + features + " × " + width
                    + " values, got " + (decoder == null ? "null" : decoder.remaining()));
        }
        this.decoder = decoder.slice();
        this.features = features;
        this.width = width;
        this.norms = new double[features];
        for (int f = 0; f < features; f++) {
            double s = 0;
            for (int i = 0; i < width; i++) {
                double v = this.decoder.get(f * width + i);
                s += v * v;
            }
            norms[f] = Math.sqrt(s);
        }
    }

    /** The directions of {@code sae}'s decoder. */
    public static SimilarFeatures of(Sae sae) {
        return new SimilarFeatures(
                sae.decoder(), sae.config().dSae(), sae.config().dIn());
    }

    /** Reads a float32 or float16 .npy of shape [d_sae, d_in]. */
    public static SimilarFeatures fromNpy(Path file) throws IOException {
        NpyArray a = Npy.read(file);
        if (a.shape().length != 2) {
            throw new IllegalArgumentException(
                    "decoder " + file + " must be a 2-d [d_sae, d_in] array, got shape " + Arrays.toString(a.shape()));
        }
        return new SimilarFeatures(a.floats(), a.shape()[0], a.shape()[1]);
    }

    public int features() {
        return features;
    }

    /** cos(W_dec[a], W_dec[b]) = a·b / (|a| |b|); 0 when either row is zero. */
    public double cosine(int a, int b) {
        check(a);
        check(b);
        if (norms[a] == 0 || norms[b] == 0) {
            return 0;
        }
        double dot = 0;
        int ra = a * width;
        int rb = b * width;
        for (int i = 0; i < width; i++) {
            dot += (double) decoder.get(ra + i) * decoder.get(rb + i);
        }
        return dot / (norms[a] * norms[b]);
    }

    /** The {@code k} features most similar to {@code feature} (itself excluded), most similar first, ties by index. */
    public int[] mostSimilar(int feature, int k) {
        check(feature);
        int m = Math.min(k, features - 1);
        if (m <= 0) {
            return new int[0];
        }
        // A bounded selection: keep the best m seen so far, sorted, by insertion.
        int[] best = new int[m];
        double[] sims = new double[m];
        int size = 0;
        for (int f = 0; f < features; f++) {
            if (f == feature) {
                continue;
            }
            double s = cosine(feature, f);
            if (size == m && !(s > sims[m - 1])) {
                continue;
            }
            int pos = size < m ? size++ : m - 1;
            while (pos > 0 && s > sims[pos - 1]) {
                sims[pos] = sims[pos - 1];
                best[pos] = best[pos - 1];
                pos--;
            }
            sims[pos] = s;
            best[pos] = f;
        }
        return Arrays.copyOf(best, size);
    }

    private void check(int f) {
        if (f < 0 || f >= features) {
            throw new IllegalArgumentException("feature " + f + " is outside [0, " + features + ")");
        }
    }
}
