package dev.saestream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What saestream learned about a model by reading and probing its graph once; kept as JSON in
 * the model's cache directory so later starts skip that work.
 *
 * @param modelId     the stable model id
 * @param opset       the default ONNX operator set version (heads must be valid in it)
 * @param maxTokens   the longest input the model takes, 0 when unknown
 * @param inputs      graph input name to element type ({@code int64} or {@code int32})
 * @param output      the model's final per-token output (the last hidden state)
 * @param outputWidth its width
 * @param hooks       every hook point, per layer in graph order
 * @param batchCoupled whether a text's activations depend on the other texts in its batch: dynamic
 *                    quantization (DynamicQuantizeLinear) scales by the whole batch's range
 */
record ModelInfo(
        String modelId,
        long opset,
        int maxTokens,
        Map<String, String> inputs,
        String output,
        int outputWidth,
        List<HookPoint> hooks,
        boolean batchCoupled) {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String POSITION_IDS = "position_ids";
    static final List<String> KNOWN_INPUTS = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS, POSITION_IDS);
    static final String INT64 = "int64";
    static final String INT32 = "int32";

    ModelInfo {
        inputs = Map.copyOf(inputs);
        hooks = List.copyOf(hooks);
        if (!inputs.containsKey(INPUT_IDS)) {
            throw new IllegalArgumentException("the model has no input_ids input; its inputs are " + inputs.keySet());
        }
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            if (!KNOWN_INPUTS.contains(e.getKey())) {
                throw new IllegalArgumentException("the model needs input '" + e.getKey() + "', which saestream cannot"
                        + " feed (it feeds " + KNOWN_INPUTS + "); export it without past key values, e.g."
                        + " optimum-cli export onnx --task feature-extraction");
            }
            if (!e.getValue().equals(INT64) && !e.getValue().equals(INT32)) {
                throw new IllegalArgumentException(
                        "input " + e.getKey() + " has type " + e.getValue() + "; want int64 or int32");
            }
        }
    }

    /** The hook called {@code name}: an alias, a SAELens hook name or a tensor name. */
    HookPoint hook(String name) {
        return HookPoint.find(hooks, name, modelId);
    }

    /**
     * The model inputs among {@code names} for right-padded {@code sequences}: ids, a mask of
     * ones over each sequence, zero token types, positions counting from 0.
     */
    List<HostTensor> feed(List<String> names, List<long[]> sequences, int length) {
        int batch = sequences.size();
        long[] shape = {batch, length};
        List<HostTensor> feed = new ArrayList<>(names.size());
        for (String name : names) {
            long[] v = new long[batch * length];
            for (int b = 0; b < batch; b++) {
                long[] seq = sequences.get(b);
                for (int t = 0; t < seq.length; t++) {
                    v[b * length + t] = switch (name) {
                        case INPUT_IDS -> seq[t];
                        case ATTENTION_MASK -> 1;
                        case POSITION_IDS -> t;
                        case TOKEN_TYPE_IDS -> 0;
                        default -> throw new IllegalStateException("cannot feed input " + name);
                    };
                }
            }
            feed.add(new HostTensor(name, shape, inputs.get(name).equals(INT32) ? narrow(v) : v));
        }
        return feed;
    }

    private static int[] narrow(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }
}
