package dev.saestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.config.ConfigException;
import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    @TempDir
    Path tmp;

    @Test
    void fileThenEnvironmentThenFlagsOverrideTheDefaults() throws IOException {
        // given
        Path file = tmp.resolve("saestream.yaml");
        Files.writeString(file, "model:\n  hook: layer2\n  batchSize: 4\n  overlap: 8\n");
        Map<String, String> env =
                Map.of("SAESTREAM_MODEL_HOOK", "layer1", "SAESTREAM_MODEL_INCLUDE_SPECIAL_TOKENS", "true");
        String hookFlag = "layer0.mlp";
        Integer overlapFlag = null;

        // when
        ModelConfig c = Settings.load(file, env)
                .section(
                        ModelConfig.SECTION,
                        ModelConfig.defaults(),
                        m -> Flags.on(m)
                                .given(hookFlag, ModelConfig::withHook)
                                .given(overlapFlag, ModelConfig::withOverlap)
                                .config());

        // then
        assertThat(c.hook()).isEqualTo("layer0.mlp");
        assertThat(c.includeSpecialTokens()).isTrue();
        assertThat(c.batchSize()).isEqualTo(4);
        assertThat(c.overlap()).isEqualTo(8);
        assertThat(c.name()).isEqualTo("all-minilm-l6-v2");
        assertThat(c.maxTokens()).isZero();
        assertThat(c.cachePath()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "saestream", "models"));
    }

    @Test
    void badValuesNameTheField() {
        Map<String, String> env = Map.of("SAESTREAM_MODEL_BATCH_SIZE", "0");
        assertThatThrownBy(() -> Settings.load(null, env).section(ModelConfig.SECTION, ModelConfig.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.batchSize must be positive, got 0");
    }

    @Test
    void unknownBundledModelListsTheBundledOnes() {
        assertThatThrownBy(() -> BundledModel.of("gpt-5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5, bge-small-en-v1.5-q");
    }
}
