package dev.saestream.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The models shipped in LangChain4j's embedding jars on Maven Central: {@code <id>.onnx} and
 * {@code <id>-tokenizer.json} at the jar root.
 */
public enum BundledModel {
    // Maximum lengths as their authors publish them (sentence-transformers' max_seq_length):
    // MiniLM's position table has 512 rows, but it was trained on 128 and is used up to 256.
    ALL_MINILM_L6_V2("all-minilm-l6-v2", 256),
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", 256),
    BGE_SMALL_EN_V15("bge-small-en-v1.5", 512),
    BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", 512);

    private final String id;
    private final int maxTokens;

    BundledModel(String id, int maxTokens) {
        this.id = id;
        this.maxTokens = maxTokens;
    }

    public String id() {
        return id;
    }

    public int maxTokens() {
        return maxTokens;
    }

    String onnxResource() {
        return "/" + id + ".onnx";
    }

    String tokenizerResource() {
        return "/" + id + "-tokenizer.json";
    }

    public static BundledModel of(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (BundledModel m : values()) {
            if (m.id.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; bundled models are " + names()
                + ", or give a model directory with model.onnx and tokenizer.json");
    }

    public static String names() {
        return Arrays.stream(values()).map(BundledModel::id).collect(Collectors.joining(", "));
    }
}
