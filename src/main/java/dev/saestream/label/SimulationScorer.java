package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Simulation: from the explanation alone, the LLM predicts the activation (0–10) of every token;
 * the score is Pearson's r between predictions and true activations over all tokens (OpenAI's
 * "all at once" correlation). An example whose prediction is missing or has the wrong length is
 * taken as predicted all zero, which can only lower r.
 *
 * <p>The interval is Fisher's with n the number of examples, not of tokens: tokens of one window
 * are far from independent, and counting them would make the interval much too narrow.
 */
public final class SimulationScorer implements Scorer {
    private final LlmClient llm;
    private final int examples;
    private final int perPrompt;

    public SimulationScorer(LlmClient llm, int examples, int perPrompt) {
        this.llm = llm;
        this.examples = examples;
        this.perPrompt = perPrompt;
    }

    @Override
    public String name() {
        return "simulation";
    }

    @Override
    public Score score(String explanation, FeatureState state, List<Example> all, long seed, CostMeter meter)
            throws LlmUnavailableException {
        List<Example> chosen = choose(all, examples);
        int[][] predicted = new int[chosen.size()][];
        Set<String> reasons = new LinkedHashSet<>();
        for (int from = 0; from < chosen.size(); from += perPrompt) {
            List<Example> batch = chosen.subList(from, Math.min(chosen.size(), from + perPrompt));
            int[] lengths = batch.stream().mapToInt(e -> e.tokens().length).toArray();
            LlmClient.Answer<int[][]> answer =
                    llm.ask(name(), prompt(explanation, batch), root -> predictions(root, lengths), meter);
            if (!answer.ok()) {
                reasons.add(answer.failure());
                continue;
            }
            for (int i = 0; i < batch.size(); i++) {
                predicted[from + i] = answer.value()[i];
                if (answer.value()[i] == null) {
                    reasons.add("no prediction of the right length for some examples");
                }
            }
        }
        List<Double> truth = new ArrayList<>();
        List<Double> guess = new ArrayList<>();
        int failures = 0;
        for (int i = 0; i < chosen.size(); i++) {
            float[] acts = chosen.get(i).acts();
            failures += predicted[i] == null ? 1 : 0;
            for (int t = 0; t < acts.length; t++) {
                truth.add((double) acts[t]);
                guess.add(predicted[i] == null ? 0.0 : predicted[i][t]);
            }
        }
        double r = truth.size() < 2 ? 0 : Stats.pearson(unbox(guess), unbox(truth));
        Stats.Interval ci = Stats.fisherInterval(r, chosen.size());
        Map<String, Double> details = new LinkedHashMap<>();
        details.put("tokens", (double) truth.size());
        details.put("activating", (double)
                chosen.stream().filter(Example::activating).count());
        return new Score(
                "pearson_r",
                r,
                chosen.size(),
                ci.low(),
                ci.high(),
                "fisher-z (n = examples)",
                failures,
                (double) failures / chosen.size(),
                llm.modelName(),
                details,
                reasons.stream().limit(Score.MAX_FAILURE_REASONS).toList());
    }

    @Override
    public List<PlannedCall> plan(String explanation, FeatureState state, List<Example> all, long seed) {
        List<Example> chosen = choose(all, examples);
        List<PlannedCall> out = new ArrayList<>();
        for (int from = 0; from < chosen.size(); from += perPrompt) {
            List<Example> batch = chosen.subList(from, Math.min(chosen.size(), from + perPrompt));
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            ArrayNode predictions = answer.putArray("predictions");
            for (int i = 0; i < batch.size(); i++) {
                ArrayNode acts = predictions.addObject().put("example", i + 1).putArray("activations");
                for (float a : batch.get(i).acts()) {
                    acts.add(Prompts.scale(a, state.max()));
                }
            }
            out.add(new PlannedCall(name(), prompt(explanation, batch), Json.writeString(answer)));
        }
        return out;
    }

    private static LlmClient.Prompt prompt(String explanation, List<Example> batch) {
        return Prompts.simulate(explanation, batch.stream().map(Example::tokens).toList());
    }

    /**
     * Up to {@code count} examples, half activating and half not (one side makes up for a short
     * other), spread evenly over each list so that every quantile group keeps its share.
     */
    static List<Example> choose(List<Example> all, int count) {
        List<Example> activating = all.stream().filter(Example::activating).toList();
        List<Example> negatives = all.stream().filter(e -> !e.activating()).toList();
        int a = Math.min(activating.size(), Math.max(count / 2, count - negatives.size()));
        int b = Math.min(negatives.size(), count - a);
        List<Example> out = new ArrayList<>(evenly(activating, a));
        out.addAll(evenly(negatives, b));
        return out;
    }

    private static List<Example> evenly(List<Example> list, int k) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(list.get((int) ((long) i * list.size() / k)));
        }
        return out;
    }

    /** Each example's predictions, null where missing or of the wrong length; values clipped to 0–10. */
    static int[][] predictions(JsonNode root, int[] lengths) throws LlmClient.MalformedAnswerException {
        JsonNode list = root.get("predictions");
        if (list == null || !list.isArray()) {
            throw new LlmClient.MalformedAnswerException("the answer has no \"predictions\" array");
        }
        int[][] out = new int[lengths.length][];
        int read = 0;
        for (JsonNode p : list) {
            JsonNode ex = p.get("example");
            JsonNode acts = p.get("activations");
            if (ex == null || !ex.canConvertToInt() || acts == null || !acts.isArray()) {
                continue;
            }
            int i = ex.asInt() - 1;
            if (i < 0 || i >= lengths.length || out[i] != null || acts.size() != lengths[i]) {
                continue;
            }
            int[] v = new int[lengths[i]];
            boolean numeric = true;
            for (int t = 0; t < v.length; t++) {
                numeric &= acts.get(t).isNumber();
                v[t] = (int) Math.max(0, Math.min(10, Math.round(acts.get(t).asDouble())));
            }
            if (numeric) {
                out[i] = v;
                read++;
            }
        }
        if (read == 0) {
            throw new LlmClient.MalformedAnswerException("the \"predictions\" array has no readable entry");
        }
        return out;
    }

    private static double[] unbox(List<Double> list) {
        double[] a = new double[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
