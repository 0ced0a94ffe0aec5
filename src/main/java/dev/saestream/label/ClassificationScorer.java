package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A scorer that asks the LLM a yes/no question per example, several examples per prompt, and
 * scores the answers by balanced accuracy. An answer missing or unreadable counts as wrong.
 */
abstract class ClassificationScorer implements Scorer {
    private final LlmClient llm;
    private final int perPrompt;

    ClassificationScorer(LlmClient llm, int perPrompt) {
        this.llm = llm;
        this.perPrompt = perPrompt;
    }

    /** One question: the text shown, and the right answer. */
    record Item(String text, boolean truth) {}

    abstract List<Item> items(FeatureState state, List<Example> examples, Random random);

    abstract String system();

    /** The boolean field of each answer entry. */
    abstract String field();

    @Override
    public Score score(String explanation, FeatureState state, List<Example> examples, long seed, CostMeter meter)
            throws LlmUnavailableException {
        List<Item> items = shuffled(state, examples, seed);
        Boolean[] predicted = new Boolean[items.size()];
        Set<String> reasons = new LinkedHashSet<>();
        for (int from = 0; from < items.size(); from += perPrompt) {
            List<Item> batch = items.subList(from, Math.min(items.size(), from + perPrompt));
            LlmClient.Prompt prompt = prompt(explanation, batch);
            int k = batch.size();
            LlmClient.Answer<Boolean[]> answer = llm.ask(name(), prompt, root -> answers(root, field(), k), meter);
            if (!answer.ok()) {
                reasons.add(answer.failure());
                continue;
            }
            for (int i = 0; i < k; i++) {
                predicted[from + i] = answer.value()[i];
                if (answer.value()[i] == null) {
                    reasons.add("no answer for some examples");
                }
            }
        }
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        int failures = 0;
        for (int i = 0; i < items.size(); i++) {
            boolean truth = items.get(i).truth();
            // unreadable counts as wrong, never dropped
            boolean said = predicted[i] == null ? !truth : predicted[i];
            failures += predicted[i] == null ? 1 : 0;
            if (truth) {
                tp += said ? 1 : 0;
                fn += said ? 0 : 1;
            } else {
                fp += said ? 1 : 0;
                tn += said ? 0 : 1;
            }
        }
        return score(new Stats.Confusion(tp, fp, tn, fn), failures, llm.modelName(), reasons);
    }

    @Override
    public List<PlannedCall> plan(String explanation, FeatureState state, List<Example> examples, long seed) {
        List<Item> items = shuffled(state, examples, seed);
        List<PlannedCall> out = new ArrayList<>();
        for (int from = 0; from < items.size(); from += perPrompt) {
            List<Item> batch = items.subList(from, Math.min(items.size(), from + perPrompt));
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            ArrayNode answers = answer.putArray("answers");
            for (int i = 0; i < batch.size(); i++) {
                answers.addObject()
                        .put("example", i + 1)
                        .put(field(), batch.get(i).truth());
            }
            out.add(new PlannedCall(name(), prompt(explanation, batch), Json.writeString(answer)));
        }
        return out;
    }

    /** The questions in the order they are asked: {@link #score} and {@link #plan} must agree on it. */
    private List<Item> shuffled(FeatureState state, List<Example> examples, long seed) {
        Random random = new Random(seed ^ name().hashCode());
        List<Item> items = new ArrayList<>(items(state, examples, random));
        Collections.shuffle(items, random);
        return items;
    }

    private LlmClient.Prompt prompt(String explanation, List<Item> batch) {
        return Prompts.classify(
                system(), field(), explanation, batch.stream().map(Item::text).toList());
    }

    /** The balanced-accuracy score of a confusion matrix, with F1, precision and recall in the details. */
    static Score score(Stats.Confusion c, int parseFailures, String model, Set<String> reasons) {
        Stats.Interval ci = c.balancedAccuracyInterval();
        Stats.Interval f1 = c.f1Interval();
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("positives", (double) c.positives());
        details.put("negatives", (double) c.negatives());
        details.put("precision", c.precision());
        details.put("recall", c.recall());
        details.put("f1", c.f1());
        details.put("f1CiLow", f1.low());
        details.put("f1CiHigh", f1.high());
        int n = (int) c.n();
        return new Score(
                "balanced_accuracy",
                c.balancedAccuracy(),
                n,
                ci.low(),
                ci.high(),
                "adjusted-wald",
                parseFailures,
                (double) parseFailures / n,
                model,
                details,
                reasons.stream().limit(Score.MAX_FAILURE_REASONS).toList());
    }

    /** The k answers of one prompt, null where an example got no readable answer. */
    static Boolean[] answers(JsonNode root, String field, int k) throws LlmClient.MalformedAnswerException {
        JsonNode list = root.get("answers");
        if (list == null || !list.isArray()) {
            throw new LlmClient.MalformedAnswerException("the answer has no \"answers\" array");
        }
        Boolean[] out = new Boolean[k];
        int read = 0;
        for (JsonNode a : list) {
            JsonNode ex = a.get("example");
            JsonNode v = a.get(field);
            if (ex == null || !ex.canConvertToInt() || v == null || !v.isBoolean()) {
                continue;
            }
            int i = ex.asInt() - 1;
            if (i >= 0 && i < k && out[i] == null) {
                out[i] = v.asBoolean();
                read++;
            }
        }
        if (read == 0) {
            throw new LlmClient.MalformedAnswerException("the \"answers\" array has no readable entry");
        }
        return out;
    }
}
