package dev.saestream.model;

import static dev.saestream.model.TestModels.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The quantized MiniLM, whose DynamicQuantizeLinear nodes take one scale for the whole batch tensor. */
class QuantizedModelTest {
    private static final String SHORT = "The parliament voted on the budget.";

    private static Transformer transformer;

    @BeforeAll
    static void open() throws IOException {
        transformer = Transformer.open(TestModels.bundled("all-minilm-l6-v2-q", "layer3"));
    }

    @AfterAll
    static void close() {
        transformer.close();
    }

    @Test
    void aTextsActivationsDoNotDependOnTheTextsBatchedWithIt() {
        // given a long text whose range would set the quantization scale of a shared batch
        String loud =
                "Mr President, ".repeat(30) + "🍕 ".repeat(20) + "the COMMISSION's proposal, 1999-2004 !!! ".repeat(5);

        // when
        float[] alone = transformer.extract(List.of(SHORT)).get(0).activations();
        float[] batched = transformer.extract(List.of(loud, SHORT, "ok")).get(1).activations();

        // then
        assertThat(transformer.info().batchCoupled()).isTrue();
        assertThat(batched).containsExactly(alone);
    }

    @Test
    void cutGraphEqualsTheFullGraphsExposedTensor() throws IOException {
        try (OnnxSession full = OnnxSession.open(transformer.store().full(transformer.hook()), 2)) {
            for (HookWindow w : transformer.hookWindows(SHORT + " Café 🍕 東京")) {
                float[] expected = full.run(
                                transformer.info().feed(full.inputs(), List.of(w.ids()), w.length()), Set.of())
                        .get(transformer.hook().tensor())
                        .floats();
                assertThat(maxAbsDiff(w.activations(), 0, expected, 0, expected.length))
                        .isLessThan(1e-5f);
            }
        }
    }
}
