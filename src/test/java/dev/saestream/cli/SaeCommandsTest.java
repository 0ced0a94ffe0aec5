package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.corpus.Document;
import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.Sae;
import dev.saestream.sae.TrainingDocuments;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    @Test
    void encodeWritesWhatNumpyExpects() throws Exception {
        // given
        Path sae = fixture("jumprelu-layer_norm-f32");

        // when
        Object[] r = run(
                "sae",
                "encode",
                "--sae",
                sae.toString(),
                "--input",
                sae.resolve("x.npy").toString(),
                "--out",
                dir.toString(),
                "--dense",
                "--threads",
                "1");

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
            assertThat(dense.floats()[i])
                    .isCloseTo(
                            wantDense.floats()[i],
                            org.assertj.core.data.Offset.offset(
                                    1e-5f * Math.max(1f, Math.abs(wantDense.floats()[i]))));
        }
        assertThat(Npy.read(dir.resolve("values.npy")).shape()).containsExactly(want.shape());
    }

    @Test
    void encodeRefusesActivationsOfAnotherWidth() throws Exception {
        Path acts = dir.resolve("wide.npy");
        Npy.writeFloats(acts, new float[3 * 17], 3, 17);
        Object[] r = run(
                "sae",
                "encode",
                "--sae",
                fixture("topk-none-f32").toString(),
                "--input",
                acts.toString(),
                "--out",
                dir.resolve("o").toString());
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2])
                .contains("has 17 columns but the SAE's d_in is 16")
                .contains("hook blocks.3.hook_resid_post");
    }

    @Test
    void encodeRefusesNonFiniteActivations() throws Exception {
        Path acts = dir.resolve("nan.npy");
        float[] x = new float[4 * 16];
        x[3 * 16 + 2] = Float.POSITIVE_INFINITY;
        Npy.writeFloats(acts, x, 4, 16);
        Object[] r = run(
                "sae",
                "encode",
                "--sae",
                fixture("topk-none-f32").toString(),
                "--input",
                acts.toString(),
                "--out",
                dir.resolve("o").toString());
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
        Object[] train = run(
                "sae",
                "train",
                "--acts",
                acts.toString(),
                "--out",
                out.toString(),
                "--width",
                "16",
                "--k",
                "2",
                "--tokens",
                "20000",
                "--batch-size",
                "256",
                "--lr",
                "0.01",
                "--threads",
                "1",
                "--model-name",
                "toy",
                "--hook-name",
                "layer.1",
                "--context-size",
                "64",
                "--dataset",
                "europarl");
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
        assertThat((String) eval[1])
                .contains("FVU")
                .contains("relative reconstruction bias")
                .contains("dead fraction");
    }

    static final String CACHE = Path.of("target", "test-model-cache").toString();

    @Test
    void trainFromTheModelThenEvalOnHeldOutDocumentsWithDownstreamFidelity() throws IOException {
        // given
        Path out = dir.resolve("sae");

        // when a small SAE trains on Europarl activations streamed from the model
        Object[] train = run(
                "sae",
                "train",
                "--corpus",
                "europarl",
                "--model",
                "all-minilm-l6-v2",
                "--hook",
                "layer3",
                "--model-cache",
                CACHE,
                "--tokens",
                "4096",
                "--batch-size",
                "256",
                "--width",
                "64",
                "--k",
                "4",
                "--shuffle-buffer",
                "1024",
                "--threads",
                "1",
                "--out",
                out.toString());
        Object[] eval = run(
                "sae",
                "eval",
                "--sae",
                out.toString(),
                "--corpus",
                "europarl",
                "--tokens",
                "1500",
                "--model-cache",
                CACHE);

        // then the directory records where its activations came from
        assertThat(train[0]).as("stderr: %s", train[2]).isEqualTo(0);
        assertThat((String) train[1])
                .contains("trained all-minilm-l6-v2/layer3/topk-64")
                .contains("training documents");
        Sae sae = Sae.load(out);
        assertThat(sae.config().modelName()).isEqualTo("all-minilm-l6-v2");
        assertThat(sae.config().hookName()).isEqualTo("blocks.3.hook_resid_post");
        assertThat(sae.config().contextSize()).isEqualTo(256);
        assertThat(sae.config().datasetPath()).isEqualTo("europarl");
        assertThat(sae.config().extraMetadata()).containsKeys("saestream_training", "saestream_documents");
        // and eval found the model and hook in cfg.json, and ran the splice
        assertThat(eval[0]).as("stderr: %s", eval[2]).isEqualTo(0);
        assertThat((String) eval[1])
                .contains("all-minilm-l6-v2 at layer3, held-out documents")
                .contains("FVU")
                .contains("cosine, SAE spliced in")
                .contains("cosine, hook zero-ablated")
                .contains("score (D_zero - D_sae) / D_zero");
    }

    @Test
    void trainingDocumentsLeaveOutTheHeldOutOnesAndStartAgainWhenTheyRunOut() {
        // given 40 documents, of which europarl/15, /24 and /25 are held out
        List<Document> docs = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            docs.add(new Document("europarl/" + i, "text " + i, null, null, null));
        }
        List<String> expected = docs.stream()
                .map(Document::id)
                .filter(id ->
                        !List.of("europarl/15", "europarl/24", "europarl/25").contains(id))
                .toList();

        // when
        List<String> read = new ArrayList<>();
        try (TrainingDocuments training = new TrainingDocuments(pass -> docs.stream())) {
            for (int i = 0; i < 2 * expected.size(); i++) {
                read.add(training.next().id());
            }
            assertThat(training.passes()).isEqualTo(2);
        }

        // then
        assertThat(read.subList(0, expected.size())).containsExactlyElementsOf(expected);
        assertThat(read.subList(expected.size(), read.size())).containsExactlyElementsOf(expected);
    }

    @Test
    void evalRefusesAModelWhoseHookIsAnotherWidth() throws Exception {
        Object[] r = run(
                "sae",
                "eval",
                "--sae",
                fixture("topk-none-f32").toString(),
                "--corpus",
                "europarl",
                "--model",
                "all-minilm-l6-v2",
                "--model-cache",
                CACHE,
                "--tokens",
                "100");
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2]).contains("all-minilm-l6-v2 at layer3 is 384 wide but the SAE's d_in is 16");
    }

    @Test
    void evalNamesTheModelItCannotFind() throws Exception {
        Object[] r = run("sae", "eval", "--sae", fixture("topk-none-f32").toString(), "--corpus", "europarl");
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2])
                .contains("the SAE was trained on fixture-model, which is not bundled: give --model-dir");
    }

    @Test
    void trainWantsActivationsOrTextsNotBoth() throws Exception {
        Object[] r = run(
                "sae",
                "train",
                "--acts",
                fixture("topk-none-f32").resolve("x.npy").toString(),
                "--corpus",
                "europarl",
                "--out",
                dir.toString());
        assertThat(r[0]).isEqualTo(ExitCode.ERROR);
        assertThat((String) r[2]).contains("give either --acts FILE, or texts");
    }
}
