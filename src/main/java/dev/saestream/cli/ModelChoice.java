package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.model.ModelConfig;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Which model and hook, and how texts are windowed: the {@code model} flags of every command that
 * runs the transformer. {@link ModelOptions} adds batch size and threads; commands whose own
 * {@code --batch-size} and {@code --threads} mean something else (sae train) use this alone.
 */
public final class ModelChoice {
    @Option(
            names = "--model",
            paramLabel = "NAME",
            description =
                    "Bundled model (default ${sys:saestream.default.model.name}): all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5,"
                            + " bge-small-en-v1.5-q.")
    String name;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description = "A model directory with model.onnx and tokenizer.json (a Hugging Face ONNX export).")
    Path dir;

    @Option(
            names = "--hook",
            paramLabel = "HOOK",
            description =
                    "Hook point (default ${sys:saestream.default.model.hook}): layer3, layer3.pre, layer3.attn, layer3.mlp, a SAELens name or a"
                            + " tensor name.")
    String hook;

    @Option(
            names = "--max-tokens",
            paramLabel = "N",
            description = "Tokens per window, special tokens included (default: the model's maximum).")
    Integer maxTokens;

    @Option(
            names = "--overlap",
            paramLabel = "N",
            description =
                    "Tokens shared by consecutive windows of a long text (default ${sys:saestream.default.model.overlap}).")
    Integer overlap;

    @Option(names = "--include-special-tokens", description = "Keep [CLS], [SEP], BOS … with the text's tokens.")
    Boolean includeSpecialTokens;

    @Option(
            names = "--model-cache",
            paramLabel = "DIR",
            description = "Where edited models are kept (default ~/.cache/saestream/models).")
    Path cacheDir;

    /** Whether --model or --model-dir was given. */
    boolean modelGiven() {
        return name != null || dir != null;
    }

    /** The {@code model} section: defaults, then the config file, the environment and these flags. */
    ModelConfig config(Settings settings) {
        return config(settings, UnaryOperator.identity());
    }

    /** The {@code model} section with {@code more} flags (a command's own) applied after these. */
    ModelConfig config(Settings settings, UnaryOperator<ModelConfig> more) {
        // withName drops a directory: --model on the command line beats one from the file or the
        // environment, and --model-dir given too is applied after it.
        return settings.section(
                ModelConfig.SECTION,
                ModelConfig.defaults(),
                c -> more.apply(Flags.on(c)
                        .given(name, ModelConfig::withName)
                        .given(dir, (m, d) -> m.withDir(d.toString()))
                        .given(hook, ModelConfig::withHook)
                        .given(maxTokens, ModelConfig::withMaxTokens)
                        .given(overlap, ModelConfig::withOverlap)
                        .given(includeSpecialTokens, ModelConfig::withSpecialTokens)
                        .given(cacheDir, ModelConfig::withCacheDir)
                        .config()));
    }
}
