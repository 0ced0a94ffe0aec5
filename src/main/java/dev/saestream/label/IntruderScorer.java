package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
 * Intruder (after EleutherAI's delphi): each question shows {@code perQuestion} examples, all but
 * one activating, and the LLM names the one that does not belong. Unlike delphi's, the question
 * carries the explanation, so that a better explanation scores higher and the null baseline means
 * something. The score is the share of questions answered right (chance is 1/{@code perQuestion}),
 * with Wilson's interval over the questions; an unreadable answer counts as wrong.
 */
public final class IntruderScorer implements Scorer {
    /** Examples in each question: four activating and one intruder. */
    public static final int DEFAULT_PER_QUESTION = 5;

    private final LlmClient llm;
    private final int perQuestion;

    public IntruderScorer(LlmClient llm, int perQuestion) {
        if (perQuestion < 2) {
            throw new IllegalArgumentException("an intruder question needs at least 2 examples, got " + perQuestion);
        }
        this.llm = llm;
        this.perQuestion = perQuestion;
    }

    @Override
    public String name() {
        return "intruder";
    }

    /** One question: its examples' texts and where the intruder is (0-based). */
    record Question(List<String> texts, int intruder) {}

    /** The questions {@code examples} make: as many as the activating (in fours) and non-activating examples allow. */
    List<Question> questions(List<Example> examples, long seed) {
        Random random = new Random(seed ^ name().hashCode());
        List<Example> activating =
                new ArrayList<>(examples.stream().filter(Example::activating).toList());
        List<Example> others =
                new ArrayList<>(examples.stream().filter(e -> !e.activating()).toList());
        Collections.shuffle(activating, random);
        Collections.shuffle(others, random);
        int count = Math.min(others.size(), activating.size() / (perQuestion - 1));
        List<Question> out = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            List<String> texts = new ArrayList<>();
            activating
                    .subList(q * (perQuestion - 1), (q + 1) * (perQuestion - 1))
                    .forEach(e -> texts.add(e.text()));
            int at = random.nextInt(perQuestion);
            texts.add(at, others.get(q).text());
            out.add(new Question(texts, at));
        }
        return out;
    }

    @Override
    public Score score(String explanation, FeatureState state, List<Example> examples, long seed, CostMeter meter)
            throws LlmUnavailableException {
        List<Question> questions = questions(examples, seed);
        if (questions.isEmpty()) {
            throw new IllegalArgumentException(
                    "intruder needs at least " + (perQuestion - 1) + " activating examples and one other");
        }
        int right = 0;
        int failures = 0;
        Set<String> reasons = new LinkedHashSet<>();
        for (Question q : questions) {
            int n = q.texts().size();
            LlmClient.Answer<Integer> answer =
                    llm.ask(name(), Prompts.intruder(explanation, q.texts()), root -> pick(root, n), meter);
            if (!answer.ok()) {
                failures++;
                reasons.add(answer.failure());
            } else if (answer.value() == q.intruder()) {
                right++;
            }
        }
        int n = questions.size();
        Stats.Interval ci = Stats.wilson(right, n);
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("questions", (double) n);
        details.put("examplesPerQuestion", (double) perQuestion);
        details.put("chance", 1.0 / perQuestion);
        return new Score(
                "accuracy",
                (double) right / n,
                n,
                ci.low(),
                ci.high(),
                "wilson",
                failures,
                (double) failures / n,
                llm.modelName(),
                details,
                reasons.stream().limit(Score.MAX_FAILURE_REASONS).toList());
    }

    @Override
    public List<PlannedCall> plan(String explanation, FeatureState state, List<Example> examples, long seed) {
        return questions(examples, seed).stream()
                .map(q -> new PlannedCall(
                        name(),
                        Prompts.intruder(explanation, q.texts()),
                        Json.writeString(JsonNodeFactory.instance.objectNode().put("intruder", q.intruder() + 1))))
                .toList();
    }

    /** The 0-based intruder the answer names. */
    static int pick(JsonNode root, int examples) throws LlmClient.MalformedAnswerException {
        JsonNode v = root.get("intruder");
        if (v == null || !v.canConvertToInt()) {
            throw new LlmClient.MalformedAnswerException("the answer has no integer \"intruder\"");
        }
        int i = v.asInt();
        if (i < 1 || i > examples) {
            throw new LlmClient.MalformedAnswerException(
                    "the intruder " + i + " is not an example number (1 to " + examples + ")");
        }
        return i - 1;
    }
}
