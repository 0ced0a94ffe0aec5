package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.config.ConfigException;
import dev.saestream.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The architecture is typed inside, and read by its cfg.json name from files, the environment and flags. */
class TrainConfigTest {
    @TempDir
    Path dir;

    @Test
    void architectureIsReadByItsCfgNameFromFileEnvironmentAndFlags() throws Exception {
        // given
        Path file = dir.resolve("saestream.yaml");
        Files.writeString(file, "train:\n  architecture: standard\n");

        // when
        TrainConfig fromFile = Settings.load(file, Map.of()).section("train", TrainConfig.defaults());
        TrainConfig fromEnv = Settings.load(file, Map.of("SAESTREAM_TRAIN_ARCHITECTURE", "TopK"))
                .section("train", TrainConfig.defaults());
        TrainConfig fromFlag = Settings.load(file, Map.of())
                .section(
                        "train",
                        TrainConfig.defaults(),
                        c -> c.withShape(Architecture.fromCfg("topk"), c.width(), c.k()));

        // then
        assertThat(TrainConfig.defaults().architecture()).isEqualTo(Architecture.TOPK);
        assertThat(fromFile.architecture()).isEqualTo(Architecture.STANDARD);
        assertThat(fromEnv.architecture()).isEqualTo(Architecture.TOPK);
        assertThat(fromFlag.architecture()).isEqualTo(Architecture.TOPK);
    }

    @Test
    void anUnknownArchitectureIsRefusedNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "train",
                                TrainConfig.defaults(),
                                c -> c.withShape(Architecture.fromCfg("batchtopk"), c.width(), c.k())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid 'train' configuration: unsupported SAE architecture 'batchtopk';"
                        + " supported: [standard, topk, jumprelu, gated]");
    }

    @Test
    void anArchitectureTheTrainerCannotTrainIsRefused() {
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "train",
                                TrainConfig.defaults(),
                                c -> c.withShape(Architecture.fromCfg("gated"), c.width(), c.k())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid 'train' configuration: architecture must be topk or standard, got gated");
    }
}
