package dev.saestream.model;

import static dev.saestream.model.TestModels.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory as optimum exports one, holding a small GPT-style decoder (pre-norm, a BOS
 * token, position ids, 16 positions): discovery, windows, cutting and splicing all work on it as
 * on the bundled BERT models.
 */
class ModelDirectoryTest {
    @TempDir
    Path tmp;

    private ModelConfig config(Path dir, String hook, boolean specials) {
        return new ModelConfig(
                null,
                dir.toString(),
                hook,
                0,
                4,
                3,
                1,
                specials,
                tmp.resolve("cache").toString(),
                "cpu");
    }

    private static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(TestGraphs.WORDS[(i * 7) % TestGraphs.WORDS.length]);
        }
        return sb.toString();
    }

    @Test
    void preNormDecoderDirectoryWorksLikeABundledModel() throws IOException {
        // given
        Path dir = TestGraphs.directory(tmp.resolve("tiny-gpt"), TestGraphs.preNorm(2));
        String text = words(40);

        try (Transformer t = Transformer.open(config(dir, "layer1.attn", false));
                OnnxSession full = OnnxSession.open(t.store().full(t.hook()), 1)) {
            // then the hooks are found and measured, and the window is the config's 16 positions
            assertThat(t.hooks())
                    .extracting(HookPoint::alias)
                    .containsExactly(
                            "layer0.pre",
                            "layer0.attn",
                            "layer0.mlp",
                            "layer0",
                            "layer1.pre",
                            "layer1.attn",
                            "layer1.mlp",
                            "layer1");
            assertThat(t.hooks()).allMatch(h -> h.width() == TestGraphs.WIDTH);
            assertThat(t.hook().tensor()).isEqualTo("h1.attn_out");
            assertThat(t.modelId()).isEqualTo("tiny-gpt");
            assertThat(t.maxTokens()).isEqualTo(TestGraphs.POSITIONS);

            // when
            TokenActivations a = t.extract(List.of(text)).get(0);
            List<HookWindow> windows = t.hookWindows(text);

            // then the BOS token is left out, the 40 words come back once, in order
            assertThat(a.tokens()).containsExactly(text.split(" "));
            assertThat(windows).hasSizeGreaterThan(2);
            for (HookWindow w : windows) {
                assertThat(w.ids()[0]).isEqualTo(1L);
                assertThat(w.special()[0]).isTrue();
                float[] expected = full.run(t.info().feed(full.inputs(), List.of(w.ids()), w.length()), Set.of())
                        .get(t.hook().tensor())
                        .floats();
                assertThat(maxAbsDiff(w.activations(), 0, expected, 0, expected.length))
                        .isLessThan(1e-5f);
                float[] last = full.run(t.info().feed(full.inputs(), List.of(w.ids()), w.length()), Set.of())
                        .get("last_hidden_state")
                        .floats();
                SpliceResult s = t.splice(List.of(w), List.of(w.activations())).get(0);
                assertThat(maxAbsDiff(s.lastHiddenState(), 0, last, 0, last.length))
                        .isLessThan(1e-4f);
            }
        }
    }

    @Test
    void bosComesBackWhenSpecialTokensAreIncluded() throws IOException {
        Path dir = TestGraphs.directory(tmp.resolve("tiny-gpt"), TestGraphs.parallel(2));

        try (Transformer t = Transformer.open(config(dir, "layer0", true))) {
            TokenActivations a = t.extract(List.of("The cat sat")).get(0);

            assertThat(a.tokens()).containsExactly("<s>", "the", "cat", "sat");
            assertThat(a.ids()).containsExactly(1, 2, 3, 4);
            assertThat(a.special()).containsExactly(true, false, false, false);
            assertThat(a.starts()).containsExactly(0, 0, 4, 8);
            assertThat(a.ends()).containsExactly(0, 3, 7, 11);
        }
    }

    @Test
    void nextStartReadsTheCacheInsteadOfTheGraph() throws IOException {
        // given a first start, which probes the graph and writes the cut model
        Path dir = TestGraphs.directory(tmp.resolve("tiny-gpt"), TestGraphs.preNorm(2));
        try (Transformer t = Transformer.open(config(dir, "layer1", false))) {
            assertThat(t.extract(List.of("the cat")).get(0).size()).isEqualTo(2);
        }
        Map<Path, FileTime> written = new HashMap<>();
        try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                written.put(f, Files.getLastModifiedTime(f));
            }
        }
        assertThat(written.keySet())
                .extracting(p -> p.getFileName().toString())
                .contains(ModelStore.INFO_FILE, "tokenizer.json")
                .anyMatch(n -> n.startsWith("cut-layer1-"));

        // when it starts again
        try (Transformer t = Transformer.open(config(dir, "layer1", false))) {
            assertThat(t.extract(List.of("the cat")).get(0).size()).isEqualTo(2);
        }

        // then nothing was written again
        try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.getLastModifiedTime(f)).as(f.toString()).isEqualTo(written.get(f));
            }
        }
    }

    @Test
    void directoryMissingAFileIsAClearError() throws IOException {
        Path dir = TestGraphs.directory(tmp.resolve("tiny-gpt"), TestGraphs.preNorm(1));
        Files.delete(dir.resolve("tokenizer.json"));

        assertThatThrownBy(() -> Transformer.open(config(dir, "layer0", false)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("has no tokenizer.json");
    }

    @Test
    void directoryWithoutAContextLengthAsksForOne() throws IOException {
        Path dir = TestGraphs.directory(tmp.resolve("tiny-gpt"), TestGraphs.preNorm(1));
        Files.delete(dir.resolve("config.json"));

        assertThatThrownBy(() -> Transformer.open(config(dir, "layer0", false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set model.maxTokens");
    }
}
