package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.model.ModelConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of the {@code model} config section, shared by every command that runs the transformer. */
public final class ModelOptions {
    @Mixin
    ModelChoice choice;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Windows per ONNX Runtime run (default ${sys:saestream.default.model.batchSize}).")
    Integer batchSize;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "ONNX Runtime intra-op threads (default: all processors).")
    Integer threads;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            description =
                    "Where ONNX Runtime runs the model and the SAE head (default ${sys:saestream.default.model.device}): cpu, cuda"
                            + " or cuda:N (needs the onnxruntime_gpu build).")
    String device;

    /** The {@code model} section: defaults, then the config file, the environment, and these flags. */
    public ModelConfig config(Settings settings) {
        return choice.config(
                settings,
                c -> Flags.on(c)
                        .given(batchSize, ModelConfig::withBatchSize)
                        .given(threads, ModelConfig::withThreads)
                        .given(device, ModelConfig::withDevice)
                        .config());
    }
}
