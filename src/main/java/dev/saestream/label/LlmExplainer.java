package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Explains a feature with an LLM: the examples go in with their firing tokens marked and their
 * activations on a 0–10 scale; the explanation comes back in the {@code explanation} field of a
 * schema-constrained JSON answer.
 */
public final class LlmExplainer implements Explainer {
    /** Longest explanation kept; models asked for a phrase sometimes write an essay. */
    static final int MAX_CHARS = 300;

    private static final String KIND = "explain";

    private final LlmClient llm;

    public LlmExplainer(LlmClient llm) {
        this.llm = llm;
    }

    @Override
    public Label.ExplainerInfo info() {
        return new Label.ExplainerInfo("llm", llm.providerName(), llm.modelName());
    }

    @Override
    public Explanation explain(FeatureState state, List<FeatureWindow> examples, CostMeter meter)
            throws LlmUnavailableException {
        if (examples.isEmpty()) {
            return Explanation.failed("no examples to explain from");
        }
        LlmClient.Answer<String> answer = llm.ask(KIND, prompt(state, examples), LlmExplainer::parse, meter);
        return answer.ok() ? Explanation.of(answer.value()) : Explanation.failed(answer.failure());
    }

    @Override
    public List<PlannedCall> plan(FeatureState state, List<FeatureWindow> examples, String expected) {
        if (examples.isEmpty()) {
            return List.of();
        }
        return List.of(new PlannedCall(
                KIND,
                prompt(state, examples),
                Json.writeString(JsonNodeFactory.instance.objectNode().put("explanation", expected))));
    }

    private static LlmClient.Prompt prompt(FeatureState state, List<FeatureWindow> examples) {
        return Prompts.explain(shown(examples, state.max()));
    }

    static List<Prompts.Shown> shown(List<FeatureWindow> examples, float featureMax) {
        List<Prompts.Shown> shown = new ArrayList<>();
        for (FeatureWindow w : examples) {
            boolean[] mark = new boolean[w.tokens().length];
            List<Prompts.Marked> marked = new ArrayList<>();
            for (int i = 0; i < mark.length; i++) {
                if (w.acts()[i] > 0 && !w.tokens()[i].isBlank()) {
                    mark[i] = true;
                    marked.add(new Prompts.Marked(
                            Prompts.safe(w.tokens()[i].strip()), Prompts.scale(w.acts()[i], featureMax)));
                }
            }
            shown.add(new Prompts.Shown(Prompts.marked(w.tokens(), mark), marked));
        }
        return shown;
    }

    static String parse(JsonNode root) throws LlmClient.MalformedAnswerException {
        JsonNode e = root.get("explanation");
        if (e == null || !e.isTextual() || e.asText().isBlank()) {
            throw new LlmClient.MalformedAnswerException("the answer has no \"explanation\" string");
        }
        String text = e.asText().strip().replaceAll("\\s+", " ");
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS - 3) + "...";
    }
}
