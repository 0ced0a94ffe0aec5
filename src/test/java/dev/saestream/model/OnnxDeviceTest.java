package dev.saestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.saestream.config.ConfigException;
import dev.saestream.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxDeviceTest {
    @Test
    void deviceComesFromTheEnvironmentAndIsNormalised() {
        ModelConfig c = Settings.load(null, Map.of("SAESTREAM_MODEL_DEVICE", " CUDA:1 "))
                .section(ModelConfig.SECTION, ModelConfig.defaults());

        assertThat(c.device()).isEqualTo("cuda:1");
        assertThat(ModelConfig.defaults().device()).isEqualTo("cpu");
        assertThat(ModelConfig.defaults().withDevice("cuda").device()).isEqualTo("cuda:0");
    }

    @Test
    void aBadDeviceIsAConfigError() {
        Map<String, String> env = Map.of("SAESTREAM_MODEL_DEVICE", "gpu");
        assertThatThrownBy(() -> Settings.load(null, env).section(ModelConfig.SECTION, ModelConfig.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.device must be cpu, cuda or cuda:N (a GPU number), got 'gpu'");
        assertThatThrownBy(() -> ModelConfig.defaults().withDevice("cuda:x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cudaWithoutItsExecutionProviderFailsBeforeLoadingTheModel() {
        OnnxRuntime.environment();
        assumeFalse(
                OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this machine's ONNX Runtime has the CUDA execution provider");
        // a cache directory nothing has used: the error must come from the device check, before the model is prepared
        ModelConfig config = TestModels.bundled("all-minilm-l6-v2", "layer3")
                .withDevice("cuda")
                .withCacheDir(java.nio.file.Path.of("target", "no-such-cache-for-cuda"));

        assertThatThrownBy(() -> Transformer.open(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model.device=cuda:0: ONNX Runtime's CUDA execution provider is not available")
                .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu");
        assertThat(java.nio.file.Path.of("target", "no-such-cache-for-cuda")).doesNotExist();
    }
}
