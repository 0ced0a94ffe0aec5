package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.model.ModelConfig;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of the {@code model} config section, shared by every command that runs the transformer. */
public final class ModelOptions {
    @Mixin
    ModelChoice choice;

    @Option(names = "--batch-size", paramLabel = "N", description = "Windows per ONNX Runtime run (default ${sys:saestream.default.model.batchSize}).")
    Integer batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: all processors).")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "Where ONNX Runtime runs the model and the SAE head: cpu (default), cuda or cuda:N (needs the onnxruntime_gpu build).")
    String device;

    /** The {@code model} section: defaults, then the config file, the environment, and these flags. */
    public ModelConfig config(Settings settings) {
        Map<String, Object> flags = new HashMap<>();
        flags.put("batchSize", batchSize);
        flags.put("threads", threads);
        ModelConfig config = choice.config(settings, flags);
        return device == null ? config : config.withDevice(device);
    }
}
