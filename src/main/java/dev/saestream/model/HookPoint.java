package dev.saestream.model;

import java.util.List;

/**
 * A place in the transformer whose per-token activations can be read: one tensor of shape
 * {@code [batch, seq, width]} in the ONNX graph.
 *
 * @param alias  the short name: {@code layer3} (residual stream after block 3), {@code layer3.pre}
 *               (before it), {@code layer3.attn}, {@code layer3.mlp}
 * @param layer  the block index, from 0
 * @param kind   which activation of the block
 * @param tensor the ONNX tensor name
 * @param width  the activation width (d_model for the residual stream)
 */
public record HookPoint(String alias, int layer, Kind kind, String tensor, int width) {
    /** What a hook reads, with SAELens's name for it. */
    public enum Kind {
        RESID_PRE("pre", "hook_resid_pre"),
        ATTN_OUT("attn", "hook_attn_out"),
        MLP_OUT("mlp", "hook_mlp_out"),
        RESID_POST("", "hook_resid_post");

        private final String suffix;
        private final String saeLens;

        Kind(String suffix, String saeLens) {
            this.suffix = suffix;
            this.saeLens = saeLens;
        }

        String alias(int layer) {
            return "layer" + layer + (suffix.isEmpty() ? "" : "." + suffix);
        }

        /** SAELens's TransformerLens hook name, e.g. {@code blocks.3.hook_resid_post}. */
        String saeLensName(int layer) {
            return "blocks." + layer + "." + saeLens;
        }
    }

    public HookPoint {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer);
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (tensor == null || tensor.isEmpty()) {
            throw new IllegalArgumentException("tensor must not be empty");
        }
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width + " for " + tensor);
        }
        if (alias == null || !alias.equals(kind.alias(layer))) {
            throw new IllegalArgumentException("alias must be " + kind.alias(layer) + ", got " + alias);
        }
    }

    public static HookPoint of(int layer, Kind kind, String tensor, int width) {
        return new HookPoint(kind.alias(layer), layer, kind, tensor, width);
    }

    /** SAELens's name for the same hook, accepted wherever an alias is. */
    public String saeLensName() {
        return kind.saeLensName(layer);
    }

    /**
     * The hook {@code name} names among {@code hooks}: an alias ({@code layer3}), a SAELens hook name
     * or a tensor name. A tensor can be two hooks (layer3 is layer4.pre); the residual stream after
     * a block comes first.
     */
    public static HookPoint find(List<HookPoint> hooks, String name, String modelId) {
        String n = name.strip();
        for (HookPoint h : hooks) {
            if (h.alias().equalsIgnoreCase(n) || h.saeLensName().equals(n)) {
                return h;
            }
        }
        for (HookPoint h : hooks) {
            if (h.tensor().equals(n) && h.kind() == Kind.RESID_POST) {
                return h;
            }
        }
        for (HookPoint h : hooks) {
            if (h.tensor().equals(n)) {
                return h;
            }
        }
        throw new IllegalArgumentException("model " + modelId + " has no hook '" + name + "'; valid hooks are "
                + hooks.stream().map(HookPoint::alias).collect(java.util.stream.Collectors.joining(", "))
                + " (or their tensor names: saestream hooks --model " + modelId + ")");
    }
}
