package dev.saestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.model.onnx.Onnx.GraphProto;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.OperatorSetIdProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class OnnxGraphTest {
    private static final float[] X = {0.5f, -1f, 2f, 3f, -0.25f, 4f};
    private static final long[] SHAPE = {1, 3, 2};

    /** x → a = 2x → b = a + 1 → y = 3b, and a side branch z = -x. */
    private static ModelProto chain() {
        GraphProto g = GraphProto.newBuilder()
                .addNode(node("Mul", "x", "two", "a"))
                .addNode(node("Add", "a", "one", "b"))
                .addNode(node("Mul", "b", "three", "y"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Neg")
                        .setName("neg")
                        .addInput("x")
                        .addOutput("z"))
                .addInitializer(scalar("two", 2f))
                .addInitializer(scalar("one", 1f))
                .addInitializer(scalar("three", 3f))
                .addInput(OnnxGraph.perToken("x", TensorProto.DataType.FLOAT, 2))
                .addOutput(OnnxGraph.perToken("y", TensorProto.DataType.FLOAT, 2))
                .addOutput(OnnxGraph.perToken("z", TensorProto.DataType.FLOAT, 2))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build();
    }

    private static NodeProto node(String op, String a, String b, String out) {
        return NodeProto.newBuilder()
                .setOpType(op)
                .setName(out)
                .addInput(a)
                .addInput(b)
                .addOutput(out)
                .build();
    }

    private static TensorProto scalar(String name, float v) {
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(v)
                .build();
    }

    private static Map<String, HostTensor> run(ModelProto model, String input, float[] value) throws IOException {
        try (OnnxSession s = OnnxSession.open(model.toByteArray(), "test", 1)) {
            return s.run(List.of(new HostTensor(input, SHAPE, value)), Set.of());
        }
    }

    private static float[] map(float[] x, DoubleUnaryOperator f) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) f.applyAsDouble(x[i]);
        }
        return out;
    }

    @Test
    void cutKeepsOnlyWhatTheHookNeeds() throws IOException {
        // when
        ModelProto cut = OnnxGraph.cut(chain(), List.of("b"));

        // then the later multiply, the side branch and their constants are gone
        assertThat(cut.getGraph().getNodeList()).extracting(NodeProto::getName).containsExactly("a", "b");
        assertThat(cut.getGraph().getInitializerList())
                .extracting(TensorProto::getName)
                .containsExactly("two", "one");
        Map<String, HostTensor> out = run(cut, "x", X);
        assertThat(out.keySet()).containsExactly("b");
        assertThat(out.get("b").floats()).containsExactly(map(X, v -> 2 * v + 1), within(1e-6f));
    }

    @Test
    void exposeAddsTheTensorAndKeepsTheOutputs() throws IOException {
        Map<String, HostTensor> out = run(OnnxGraph.expose(chain(), List.of("a")), "x", X);

        assertThat(out.keySet()).containsExactlyInAnyOrder("y", "z", "a");
        assertThat(out.get("a").floats()).containsExactly(map(X, v -> 2 * v), within(1e-6f));
        assertThat(out.get("y").floats()).containsExactly(map(X, v -> 3 * (2 * v + 1)), within(1e-6f));
    }

    @Test
    void fromStartsTheGraphAtTheTensor() throws IOException {
        // when
        ModelProto rest = OnnxGraph.from(chain(), "b", 2, List.of("y"));

        // then b is the only input and feeding it gives y = 3b
        assertThat(rest.getGraph().getInputList()).extracting(v -> v.getName()).containsExactly("b");
        assertThat(rest.getGraph().getNodeList()).extracting(NodeProto::getName).containsExactly("y");
        assertThat(run(rest, "b", X).get("y").floats()).containsExactly(map(X, v -> 3 * v), within(1e-6f));
    }

    @Test
    void appendedHeadReadsTheHook() throws IOException {
        // given a head that multiplies each 2-wide row by W (2 × 3)
        float[] w = {1f, -2f, 0.5f, 3f, 0.25f, -1f};
        TensorProto weight = TensorProto.newBuilder()
                .setName("head.w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2)
                .addDims(3)
                .addAllFloatData(List.of(1f, -2f, 0.5f, 3f, 0.25f, -1f))
                .build();
        Head head = new Head(
                List.of(node("MatMul", Head.INPUT, "head.w", "head.out")),
                List.of(weight),
                List.of(OnnxGraph.perToken("head.out", TensorProto.DataType.FLOAT, 3)),
                false);

        // when
        Map<String, HostTensor> out =
                run(OnnxGraph.appendHead(OnnxGraph.cut(chain(), List.of("b")), "b", head), "x", X);

        // then each row of b = 2x + 1 times W
        float[] expected = new float[9];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                expected[r * 3 + c] = (2 * X[2 * r] + 1) * w[c] + (2 * X[2 * r + 1] + 1) * w[3 + c];
            }
        }
        assertThat(out.get("head.out").shape()).containsExactly(1, 3, 3);
        assertThat(out.get("head.out").floats()).containsExactly(expected, within(1e-5f));
    }

    @Test
    void headMayNotOverwriteTheModel() {
        Head clash = new Head(
                List.of(node("Mul", Head.INPUT, "two", "y")),
                List.of(),
                List.of(OnnxGraph.perToken("y", TensorProto.DataType.FLOAT, 2)),
                false);
        assertThatThrownBy(() -> OnnxGraph.appendHead(chain(), "b", clash))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'y'");
    }

    @Test
    void headOutputsNeedAFixedWidthPerToken() {
        assertThatThrownBy(() -> new Head(
                        List.of(node("Mul", Head.INPUT, "two", "h")),
                        List.of(),
                        List.of(OnnxGraph.perToken("h", TensorProto.DataType.FLOAT, 0)),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixed n");
        assertThatThrownBy(() -> new Head(
                        List.of(node("Mul", Head.INPUT, "two", "h")),
                        List.of(),
                        List.of(OnnxGraph.perToken("h", TensorProto.DataType.DOUBLE, 2)),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float (1) or int64 (7)");
    }

    @Test
    void unknownTensorIsAClearError() {
        assertThatThrownBy(() -> OnnxGraph.cut(chain(), List.of("nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
    }

    @Test
    void garbageIsNotAModel() {
        byte[] junk = "this is not an ONNX model".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OnnxGraph.load(new ByteArrayInputStream(junk), "junk.onnx"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("junk.onnx");
    }
}
