package dev.saestream.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model's files are: a bundled model's classpath resources or a directory's files.
 *
 * @param id        the stable model id: the bundled name, or the directory's name
 * @param onnx      the ONNX model
 * @param tokenizer the Hugging Face {@code tokenizer.json}
 * @param maxTokens the longest input the model takes, or 0 when the files do not say
 */
record ModelSource(String id, URL onnx, URL tokenizer, int maxTokens) {
    static final String MODEL_FILE = "model.onnx";
    static final String TOKENIZER_FILE = "tokenizer.json";
    static final String CONFIG_FILE = "config.json";
    /** Keys of Hugging Face's config.json that give the context length, by architecture. */
    private static final String[] MAX_LENGTH_KEYS = {"max_position_embeddings", "n_positions", "n_ctx", "max_seq_len"};

    static ModelSource of(ModelConfig config) throws IOException {
        return config.dir() != null ? directory(Path.of(config.dir())) : bundled(BundledModel.of(config.name()));
    }

    static ModelSource bundled(BundledModel model) {
        URL onnx = ModelSource.class.getResource(model.onnxResource());
        URL tokenizer = ModelSource.class.getResource(model.tokenizerResource());
        if (onnx == null || tokenizer == null) {
            throw new IllegalStateException("model " + model.id() + " is not on the classpath; it comes with"
                    + " dev.langchain4j:langchain4j-embeddings-" + model.id().replace(".", ""));
        }
        return new ModelSource(model.id(), onnx, tokenizer, model.maxTokens());
    }

    static ModelSource directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory " + dir + " does not exist");
        }
        for (String f : new String[] {MODEL_FILE, TOKENIZER_FILE}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IOException("model directory " + dir + " has no " + f + "; it needs " + MODEL_FILE + " and "
                        + TOKENIZER_FILE + " (as optimum-cli export onnx writes them)");
            }
        }
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return new ModelSource(
                name == null ? "model" : name.toString(),
                dir.resolve(MODEL_FILE).toUri().toURL(),
                dir.resolve(TOKENIZER_FILE).toUri().toURL(),
                maxLength(dir.resolve(CONFIG_FILE)));
    }

    /** The context length from config.json, or 0 when there is none. */
    private static int maxLength(Path config) throws IOException {
        if (!Files.isRegularFile(config)) {
            return 0;
        }
        JsonNode tree;
        try (InputStream in = Files.newInputStream(config)) {
            tree = Json.MAPPER.readTree(in);
        }
        for (String key : MAX_LENGTH_KEYS) {
            JsonNode v = tree.get(key);
            if (v != null && v.canConvertToInt() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return 0;
    }

    /** What changes when the model file does: its location, size and modification time. */
    String identity() throws IOException {
        URLConnection c = onnx.openConnection();
        try {
            return onnx + "|" + c.getContentLengthLong() + "|" + c.getLastModified();
        } finally {
            c.getInputStream().close();
        }
    }
}
