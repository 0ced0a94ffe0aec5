package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.model.ModelConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of the {@code model} config section, shared by every command that runs the transformer. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "NAME",
            description = "Bundled model: all-minilm-l6-v2 (default), all-minilm-l6-v2-q, bge-small-en-v1.5, bge-small-en-v1.5-q.")
    String name;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "A model directory with model.onnx and tokenizer.json (a Hugging Face ONNX export).")
    Path dir;

    @Option(names = "--hook", paramLabel = "HOOK",
            description = "Hook point: layer3 (default), layer3.pre, layer3.attn, layer3.mlp, a SAELens name or a tensor name.")
    String hook;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Tokens per window, special tokens included (default: the model's maximum).")
    Integer maxTokens;

    @Option(names = "--overlap", paramLabel = "N", description = "Tokens shared by consecutive windows of a long text (default 32).")
    Integer overlap;

    @Option(names = "--batch-size", paramLabel = "N", description = "Windows per ONNX Runtime run (default 32).")
    Integer batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: all processors).")
    Integer threads;

    @Option(names = "--include-special-tokens", description = "Keep [CLS], [SEP], BOS … with the text's tokens.")
    Boolean includeSpecialTokens;

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "Where edited models are kept (default ~/.cache/saestream/models).")
    Path cacheDir;

    /** The {@code model} section: defaults, then the config file, the environment, and these flags. */
    public ModelConfig config(Settings settings) {
        Map<String, Object> flags = new HashMap<>();
        flags.put("name", name);
        flags.put("dir", dir == null ? null : dir.toString());
        flags.put("hook", hook);
        flags.put("maxTokens", maxTokens);
        flags.put("overlap", overlap);
        flags.put("batchSize", batchSize);
        flags.put("threads", threads);
        flags.put("includeSpecialTokens", includeSpecialTokens);
        flags.put("cacheDir", cacheDir == null ? null : cacheDir.toString());
        ModelConfig config = settings.section(ModelConfig.SECTION, ModelConfig.defaults(), flags);
        // --model on the command line beats a directory from the file or the environment.
        return name != null && dir == null ? config.withName(name) : config;
    }
}
