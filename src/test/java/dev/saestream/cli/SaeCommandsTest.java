package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.Sae;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SaeCommandsTest {
    @TempDir
    Path dir;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(SaeCommandsTest.class.getResource("/sae/" + name).toURI());
    }

    /** Runs the command line, returning [exit code, stdout, stderr]. */
    static Object[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            int code = cl.execute(args);
            return new Object[] {code, out.toString(), err.toString()};
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void encodeWritesWhatNumpyExpects() throws Exception {
        // given
        Path sae = fixture("jumprelu-layer_norm-f32");

        // when
        Object[] r = run("sae", "encode", "--sae", sae.toString(), "--input", sae.resolve("x.npy").toString(),
                "--out", dir.toString(), "--dense", "--threads", "1");

        // then
        assertThat(r[0]).as("stderr: %s", r[2]).isEqualTo(0);
        assertThat((String) r[1]).contains("encoded 12 tokens");
        NpyArray idx = Npy.read(dir.resolve("indices.npy"));
        NpyArray want = Npy.read(sae.resolve("indices.npy"));
        assertThat(idx.dtype()).isEqualTo("<i4");
        assertThat(idx.shape()).containsExactly(want.shape());
        assertThat(idx.ints()).containsExactly(want.ints());
        NpyArray dense = Npy.read(dir.resolve("dense.npy"));
        NpyArray wantDense = Npy.read(sae.resolve("dense.npy"));
        assertThat(dense.shape()).containsExactly(12, 40);
        for (int i = 0; i < dense.floats().length; i++) {
            assertThat(dense.floats()[i]).isCloseTo(wantDense.floats()[i],
                    org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(wantDense.floats()[i]))));
        }
        assertThat(Npy.read(dir.resolve("values.npy")).shape()).containsExactly(want.shape());
    }

    @Test
    void encodeRefusesActivationsOfAnotherWidth() throws Exception {
        Path acts = dir.resolve("wide.npy");
        Npy.writeFloats(acts, new float[3 * 17], 3, 17);
        Object[] r = run("sae", "encode", "--sae", fixture("topk-none-f32").toString(), "--input", acts.toString(),
                "--out", dir.resolve("o").toString());
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2]).contains("has 17 columns but the SAE's d_in is 16").contains("hook blocks.3.hook_resid_post");
    }

    @Test
    void encodeRefusesNonFiniteActivations() throws Exception {
        Path acts = dir.resolve("nan.npy");
        float[] x = new float[4 * 16];
        x[3 * 16 + 2] = Float.POSITIVE_INFINITY;
        Npy.writeFloats(acts, x, 4, 16);
        Object[] r = run("sae", "encode", "--sae", fixture("topk-none-f32").toString(), "--input", acts.toString(),
                "--out", dir.resolve("o").toString());
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2]).contains("row 3").contains("infinite");
    }

    @Test
    void trainThenEvalProducesASaeLensDirectory() throws IOException {
        // given: activations with a few strong directions
        Random rnd = new Random(3);
        int rows = 4000;
        int d = 8;
        float[] x = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            x[r * d + rnd.nextInt(d)] = 1f + rnd.nextFloat();
            x[r * d + rnd.nextInt(d)] += (float) (0.01 * rnd.nextGaussian());
        }
        Path acts = dir.resolve("acts.npy");
        Npy.writeFloats(acts, x, rows, d);
        Path out = dir.resolve("sae");

        // when
        Object[] train = run("sae", "train", "--acts", acts.toString(), "--out", out.toString(), "--width", "16",
                "--k", "2", "--tokens", "20000", "--batch-size", "256", "--lr", "0.01", "--threads", "1",
                "--model-name", "toy", "--hook-name", "layer.1", "--context-size", "64", "--dataset", "europarl");
        Object[] eval = run("sae", "eval", "--sae", out.toString(), "--acts", acts.toString());

        // then
        assertThat(train[0]).as("stderr: %s", train[2]).isEqualTo(0);
        assertThat((String) train[1]).contains("trained toy/layer1/topk-16");
        Sae sae = Sae.load(out);
        assertThat(sae.config().k()).isEqualTo(2);
        assertThat(sae.config().contextSize()).isEqualTo(64);
        assertThat(sae.config().datasetPath()).isEqualTo("europarl");
        assertThat(sae.logSparsity()).hasSize(16);
        assertThat(Files.exists(out.resolve(Sae.SPARSITY_FILE))).isTrue();
        assertThat(eval[0]).as("stderr: %s", eval[2]).isEqualTo(0);
        assertThat((String) eval[1]).contains("FVU").contains("relative reconstruction bias").contains("dead fraction");
    }
}
