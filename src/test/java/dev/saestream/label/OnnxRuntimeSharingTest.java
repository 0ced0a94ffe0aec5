package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's environment is one per process, so the order in which its users start matters;
 * a fresh JVM is the only place to see it. The labeller's embedding model loading before the
 * transformer (as in a {@code label} instance that later runs a model) must leave both working.
 */
class OnnxRuntimeSharingTest {
    @Test
    void theEmbeddingModelFirstThenTheTransformerInOneProcess(@TempDir Path dir) throws Exception {
        // when a fresh JVM loads the embedding scorer, then opens the transformer and extracts a text
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EmbeddingThenTransformer.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = child.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }

        // then both ran
        String out = Files.readString(log);
        assertThat(exited).as(out).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("loaded embedding").contains("extracted 6 tokens");
    }

    /** The child process. */
    public static final class EmbeddingThenTransformer {
        public static void main(String[] args) throws Exception {
            EmbeddingScorer scorer = EmbeddingScorer.load("all-minilm-l6-v2-q");
            System.out.println("loaded " + scorer.name());
            try (Transformer t = Transformer.open(new ModelConfig(
                    "all-minilm-l6-v2",
                    null,
                    "layer3",
                    0,
                    32,
                    8,
                    1,
                    false,
                    Path.of("target", "test-model-cache").toString(),
                    "cpu"))) {
                System.out.println("extracted "
                        + t.extract(List.of("The council adopted the report."))
                                .get(0)
                                .size() + " tokens");
            }
        }
    }
}
