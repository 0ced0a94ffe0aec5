package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.corpus.DocumentIds;
import dev.saestream.formats.Json;
import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The model commands end to end through {@link Main}, on the quantized MiniLM. */
class ModelCommandsTest {
    private static final String CACHE = Path.of("target", "test-model-cache").toString();
    private static final String MODEL = "all-minilm-l6-v2-q";

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void hooksListsEveryHookWithItsTensorAndWidth() {
        Run r = run("hooks", "--model", MODEL, "--model-cache", CACHE);

        assertThat(r.exit).isZero();
        assertThat(r.out).startsWith(MODEL + ": 6 layers, 24 hook points");
        assertThat(r.out.lines()
                        .filter(l -> l.startsWith("layer3 "))
                        .findFirst()
                        .orElseThrow()
                        .split("\\s+"))
                .containsExactly(
                        "layer3",
                        "3",
                        "resid_post",
                        "384",
                        "blocks.3.hook_resid_post",
                        "/encoder/layer.3/output/LayerNorm/Add_1_output_0");
    }

    @Test
    void activationsWritesNumpyRowsAndOneTokenLinePerRow() throws IOException {
        // given two documents, one without an id (keyed by its text's hash, as produce keys it), and a blank line
        Path input = tmp.resolve("docs.jsonl");
        List<String> texts = List.of("The parliament voted on the budget.", "Café 🍕 東京");
        Files.writeString(
                input,
                "{\"id\": \"a\", \"text\": \"" + texts.get(0) + "\"}\n\n{\"text\": \"" + texts.get(1) + "\"}\n",
                StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");

        // when
        Run r = run(
                "activations",
                "--model",
                MODEL,
                "--hook",
                "layer2",
                "--model-cache",
                CACHE,
                "--input",
                input.toString(),
                "--out",
                out.toString());

        // then the rows are what Transformer.extract gives for the same texts
        assertThat(r.exit).as(r.err).isZero();
        ModelConfig config = new ModelConfig(MODEL, null, "layer2", 0, 32, 32, 0, false, CACHE, "cpu");
        List<TokenActivations> expected;
        try (Transformer t = Transformer.open(config)) {
            expected = t.extract(texts);
        }
        NpyArray acts = Npy.read(out.resolve(ActivationsCommand.ACTS));
        int rows = expected.get(0).size() + expected.get(1).size();
        assertThat(acts.shape()).containsExactly(rows, 384);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(ActivationsCommand.TOKENS))) {
            lines.add(Json.MAPPER.readTree(line));
        }
        assertThat(lines).hasSize(rows);
        int row = 0;
        for (int d = 0; d < 2; d++) {
            TokenActivations t = expected.get(d);
            for (int i = 0; i < t.size(); i++, row++) {
                JsonNode l = lines.get(row);
                assertThat(l.get("doc").asText()).isEqualTo(d == 0 ? "a" : DocumentIds.contentHash(texts.get(1)));
                assertThat(l.get("pos").asInt()).isEqualTo(i);
                assertThat(l.get("token").asText()).isEqualTo(t.tokens().get(i));
                assertThat(texts.get(d)
                                .substring(l.get("start").asInt(), l.get("end").asInt()))
                        .isEqualTo(texts.get(d).substring(t.starts()[i], t.ends()[i]));
                for (int j = 0; j < 384; j++) {
                    assertThat(acts.floats()[row * 384 + j]).isEqualTo(t.activations()[i * 384 + j]);
                }
            }
        }
        JsonNode meta =
                Json.MAPPER.readTree(out.resolve(ActivationsCommand.META).toFile());
        assertThat(meta.get("hook").asText()).isEqualTo("layer2");
        assertThat(meta.get("rows").asInt()).isEqualTo(rows);
        assertThat(r.out).contains("wrote " + rows + " token activations from 2 documents");
    }

    @Test
    void activationsReadsTheBundledCorpus() throws IOException {
        Path out = tmp.resolve("europarl");

        Run r = run(
                "activations",
                "--model",
                MODEL,
                "--model-cache",
                CACHE,
                "--corpus",
                "europarl",
                "--limit",
                "2",
                "--out",
                out.toString());

        assertThat(r.exit).as(r.err).isZero();
        List<String> docs = Files.readAllLines(out.resolve(ActivationsCommand.TOKENS)).stream()
                .map(l -> Json.read(l.getBytes(StandardCharsets.UTF_8), JsonNode.class)
                        .get("doc")
                        .asText())
                .distinct()
                .toList();
        // the first two English documents: the corpus is English unless --lang says otherwise
        assertThat(docs).containsExactly("europarl/9", "europarl/31");
        assertThat(Npy.read(out.resolve(ActivationsCommand.ACTS)).rows())
                .isEqualTo(Files.readAllLines(out.resolve(ActivationsCommand.TOKENS))
                        .size());
    }

    @Test
    void unknownHookFailsWithTheValidOnes() {
        Run r = run(
                "activations",
                "--model",
                MODEL,
                "--model-cache",
                CACHE,
                "--hook",
                "layer42",
                "--corpus",
                "europarl",
                "--limit",
                "1",
                "--out",
                tmp.resolve("x").toString());

        assertThat(r.exit).isEqualTo(ExitCode.ERROR);
        assertThat(r.err).contains("no hook 'layer42'").contains("valid hooks are layer0.pre, layer0.attn");
    }

    @Test
    void missingModelDirectoryFileIsOneClearLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("model.onnx"), "x");

        Run r = run("hooks", "--model-dir", dir.toString(), "--model-cache", CACHE);

        assertThat(r.exit).isEqualTo(ExitCode.ERROR);
        assertThat(r.err.strip())
                .contains("has no tokenizer.json")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void benchTransformerPrintsEveryVariantAndTheRatios() {
        Run r = run(
                "bench",
                "transformer",
                "--model",
                MODEL,
                "--model-cache",
                CACHE,
                "--docs",
                "2",
                "--batch-sizes",
                "1,2",
                "--repeats",
                "1");

        assertThat(r.exit).as(r.err).isZero();
        for (String variant : List.of("full graph, hook exposed", "cut graph", "extraction path")) {
            assertThat(r.out.lines().filter(l -> l.startsWith(variant)).count())
                    .as(variant)
                    .isEqualTo(2);
        }
        assertThat(r.out).contains("cut / full (speed-up)").contains("extraction / cut");
    }
}
