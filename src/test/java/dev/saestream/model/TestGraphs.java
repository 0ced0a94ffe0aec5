package dev.saestream.model;

import dev.saestream.model.onnx.Onnx.AttributeProto;
import dev.saestream.model.onnx.Onnx.GraphProto;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.OperatorSetIdProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import dev.saestream.model.onnx.Onnx.TensorShapeProto;
import dev.saestream.model.onnx.Onnx.TypeProto;
import dev.saestream.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Small GPT-style transformers built node by node, valid for ONNX Runtime, with seeded random
 * weights: a pre-norm decoder (GPT-2: {@code x + attn(ln1(x))}, then {@code + mlp(ln2(.))}, a
 * final norm after the last block) and a parallel-residual one (GPT-NeoX:
 * {@code x + attn(ln1(x)) + mlp(ln2(x))}). Their MLP uses GPT-2's tanh GELU, whose
 * {@code x + 0.044715·x³} must not pass for a residual connection, and their attention adds a
 * mask built from {@code attention_mask}. HostTensor names say what each tensor is, so tests can
 * name the expected hooks.
 */
final class TestGraphs {
    static final int VOCAB = 12;
    static final int POSITIONS = 16;
    static final int WIDTH = 8;
    static final String[] WORDS = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "away"};

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> inits = new ArrayList<>();
    private final Random random = new Random(7);

    private TestGraphs() {}

    static ModelProto preNorm(int layers) {
        return new TestGraphs().build(layers, false);
    }

    static ModelProto parallel(int layers) {
        return new TestGraphs().build(layers, true);
    }

    /** Writes {@code model.onnx}, a word-level {@code tokenizer.json} with a BOS template, and {@code config.json}. */
    static Path directory(Path dir, ModelProto model) throws IOException {
        Files.createDirectories(dir);
        OnnxGraph.save(model, dir.resolve("model.onnx"));
        StringBuilder vocab = new StringBuilder("\"[UNK]\": 0, \"<s>\": 1");
        for (int i = 0; i < WORDS.length; i++) {
            vocab.append(", \"").append(WORDS[i]).append("\": ").append(i + 2);
        }
        String tokenizer = """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [{"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                                   "normalized": false, "special": true}],
                 "normalizer": {"type": "Lowercase"},
                 "pre_tokenizer": {"type": "Whitespace"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                            {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
                 "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {%s}, "unk_token": "[UNK]"}}
                """.formatted(vocab);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_positions\": " + POSITIONS + "}");
        return dir;
    }

    private ModelProto build(int layers, boolean parallel) {
        node("Gather", List.of(weight("wte", VOCAB, WIDTH), "input_ids"), "tok_emb");
        node("Gather", List.of(weight("wpe", POSITIONS, WIDTH), "position_ids"), "pos_emb");
        node("Add", List.of("tok_emb", "pos_emb"), "embeddings");
        // GPT-2's additive mask: (1 - mask) * -10000, broadcast over the query axis.
        node("Unsqueeze", List.of("attention_mask", longs("axis1", 1)), "mask_3d");
        nodes.add(NodeProto.newBuilder()
                .setOpType("Cast")
                .setName("mask_cast")
                .addInput("mask_3d")
                .addOutput("mask_f")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("to")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(1))
                .build());
        node("Sub", List.of(scalar("one", 1f), "mask_f"), "mask_inv");
        node("Mul", List.of("mask_inv", scalar("neg", -10000f)), "mask_add");
        String x = "embeddings";
        for (int l = 0; l < layers; l++) {
            String p = "h" + l + ".";
            if (parallel) {
                String attn = attention(p, norm(p + "ln1", x));
                String mlp = mlp(p, norm(p + "ln2", x));
                node("Add", List.of(mlp, attn), p + "attn_plus_mlp");
                node("Add", List.of(p + "attn_plus_mlp", x), p + "resid");
                x = p + "resid";
            } else {
                String attn = attention(p, norm(p + "ln1", x));
                node("Add", List.of(x, attn), p + "resid_mid");
                String mlp = mlp(p, norm(p + "ln2", p + "resid_mid"));
                node("Add", List.of(p + "resid_mid", mlp), p + "resid");
                x = p + "resid";
            }
        }
        String out = norm("ln_f", x);
        node("Identity", List.of(out), "last_hidden_state");
        GraphProto g = GraphProto.newBuilder()
                .setName(parallel ? "parallel" : "pre_norm")
                .addAllNode(nodes)
                .addAllInitializer(inits)
                .addInput(intInput("input_ids"))
                .addInput(intInput("attention_mask"))
                .addInput(intInput("position_ids"))
                .addOutput(OnnxGraph.perToken("last_hidden_state", TensorProto.DataType.FLOAT, WIDTH))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setProducerName("saestream-tests")
                .setGraph(g)
                .build();
    }

    private String norm(String name, String x) {
        float[] ones = new float[WIDTH];
        Arrays.fill(ones, 1f);
        nodes.add(NodeProto.newBuilder()
                .setOpType("LayerNormalization")
                .setName(name)
                .addInput(x)
                .addInput(init(name + ".weight", ones, WIDTH))
                .addInput(weight(name + ".bias", WIDTH))
                .addOutput(name + ".out")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("axis")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(-1))
                .build());
        return name + ".out";
    }

    /** Single-head self-attention with the additive mask; returns the output projection plus bias. */
    private String attention(String p, String h) {
        node("MatMul", List.of(h, weight(p + "wq", WIDTH, WIDTH)), p + "q");
        node("MatMul", List.of(h, weight(p + "wk", WIDTH, WIDTH)), p + "k");
        node("MatMul", List.of(h, weight(p + "wv", WIDTH, WIDTH)), p + "v");
        nodes.add(NodeProto.newBuilder()
                .setOpType("Transpose")
                .setName(p + "kt")
                .addInput(p + "k")
                .addOutput(p + "kt")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("perm")
                        .setType(AttributeProto.AttributeType.INTS)
                        .addInts(0)
                        .addInts(2)
                        .addInts(1))
                .build());
        node("MatMul", List.of(p + "q", p + "kt"), p + "scores");
        node("Div", List.of(p + "scores", scalar(p + "scale", (float) Math.sqrt(WIDTH))), p + "scaled");
        node("Add", List.of(p + "scaled", "mask_add"), p + "masked");
        nodes.add(NodeProto.newBuilder()
                .setOpType("Softmax")
                .setName(p + "softmax")
                .addInput(p + "masked")
                .addOutput(p + "probs")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("axis")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(-1))
                .build());
        node("MatMul", List.of(p + "probs", p + "v"), p + "context");
        node("MatMul", List.of(p + "context", weight(p + "wo", WIDTH, WIDTH)), p + "o");
        node("Add", List.of(p + "o", weight(p + "bo", WIDTH)), p + "attn_out");
        return p + "attn_out";
    }

    /** Two linear layers around GPT-2's tanh GELU; returns the second layer's output plus bias. */
    private String mlp(String p, String h) {
        int hidden = 2 * WIDTH;
        node("MatMul", List.of(h, weight(p + "w1", WIDTH, hidden)), p + "fc");
        node("Add", List.of(p + "fc", weight(p + "b1", hidden)), p + "a");
        node("Pow", List.of(p + "a", scalar(p + "three", 3f)), p + "a3");
        node("Mul", List.of(p + "a3", scalar(p + "c", 0.044715f)), p + "ca3");
        node("Add", List.of(p + "a", p + "ca3"), p + "inner");
        node("Mul", List.of(p + "inner", scalar(p + "s", 0.7978846f)), p + "scaled_inner");
        node("Tanh", List.of(p + "scaled_inner"), p + "t");
        node("Add", List.of(p + "t", scalar(p + "one", 1f)), p + "t1");
        node("Mul", List.of(p + "a", p + "t1"), p + "at1");
        node("Mul", List.of(p + "at1", scalar(p + "half", 0.5f)), p + "gelu");
        node("MatMul", List.of(p + "gelu", weight(p + "w2", hidden, WIDTH)), p + "proj");
        node("Add", List.of(p + "proj", weight(p + "b2", WIDTH)), p + "mlp_out");
        return p + "mlp_out";
    }

    private void node(String op, List<String> inputs, String output) {
        nodes.add(NodeProto.newBuilder()
                .setOpType(op)
                .setName(output)
                .addAllInput(inputs)
                .addOutput(output)
                .build());
    }

    private String weight(String name, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.3);
        }
        return init(name, v, dims);
    }

    private String scalar(String name, float value) {
        return init(name, new float[] {value});
    }

    private String init(String name, float[] values, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) {
            t.addDims(d);
        }
        for (float f : values) {
            t.addFloatData(f);
        }
        inits.add(t.build());
        return name;
    }

    private String longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        inits.add(t.build());
        return name;
    }

    private static ValueInfoProto intInput(String name) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxGraph.BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxGraph.SEQUENCE))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.INT64_VALUE)
                                .setShape(shape)))
                .build();
    }
}
