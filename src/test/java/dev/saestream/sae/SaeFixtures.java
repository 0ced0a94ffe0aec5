package dev.saestream.sae;

import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The NumPy-generated fixtures of src/test/python/sae_fixtures.py, and comparisons against them. */
final class SaeFixtures {
    private SaeFixtures() {}

    static Path root() {
        try {
            return Path.of(SaeFixtures.class.getResource("/sae").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    static NpyArray npy(String fixture, String file) throws IOException {
        return Npy.read(root().resolve(fixture).resolve(file));
    }

    /** The expected codes from indices.npy / values.npy (-1 padded). */
    static SparseCode[] expectedCodes(String fixture) throws IOException {
        NpyArray idx = npy(fixture, "indices.npy");
        NpyArray val = npy(fixture, "values.npy");
        int rows = idx.rows();
        int width = idx.cols();
        SparseCode[] out = new SparseCode[rows];
        for (int r = 0; r < rows; r++) {
            int n = 0;
            while (n < width && idx.ints()[r * width + n] >= 0) {
                n++;
            }
            int[] i = java.util.Arrays.copyOfRange(idx.ints(), r * width, r * width + n);
            float[] v = java.util.Arrays.copyOfRange(val.floats(), r * width, r * width + n);
            out[r] = new SparseCode(i, v);
        }
        return out;
    }

    /**
     * Largest error of {@code got} against {@code want}, per row relative to the row's largest
     * magnitude (the norm-wise relative error ‖got − want‖∞ / ‖want‖∞).
     */
    static double rowRelativeError(float[] got, float[] want, int width) {
        double worst = 0;
        for (int r = 0; r < want.length / width; r++) {
            double scale = 0;
            double err = 0;
            for (int c = 0; c < width; c++) {
                scale = Math.max(scale, Math.abs(want[r * width + c]));
                err = Math.max(err, Math.abs(got[r * width + c] - want[r * width + c]));
            }
            worst = Math.max(worst, scale == 0 ? err : err / scale);
        }
        return worst;
    }

    static float[] dense(SparseCode[] codes, int dSae) {
        float[] d = new float[codes.length * dSae];
        for (int r = 0; r < codes.length; r++) {
            for (int i = 0; i < codes[r].size(); i++) {
                d[r * dSae + codes[r].indices()[i]] = codes[r].values()[i];
            }
        }
        return d;
    }
}
