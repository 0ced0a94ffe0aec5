package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Fuzzing: given the explanation, are the marked tokens the ones where the feature fires? Half
 * the activating examples (by a seeded hash) are marked where it fires; the other half, and every
 * non-activating example, get the same number of marks on tokens where it does not.
 */
public final class FuzzingScorer extends ClassificationScorer {
    public FuzzingScorer(LlmClient llm, int perPrompt) {
        super(llm, perPrompt);
    }

    @Override
    public String name() {
        return "fuzzing";
    }

    @Override
    String system() {
        return Prompts.FUZZING_SYSTEM;
    }

    @Override
    String field() {
        return "correct";
    }

    @Override
    List<Item> items(FeatureState state, List<Example> examples, Random random) {
        long salt = random.nextLong();
        List<Example> activating =
                new ArrayList<>(examples.stream().filter(Example::activating).toList());
        activating.sort(Comparator.comparingLong((Example e) -> Hashing.mix(salt, e.id()))
                .thenComparing(Example::id));
        int correctCount = (activating.size() + 1) / 2;
        int typicalMarks = 1;
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < activating.size(); i++) {
            Example e = activating.get(i);
            boolean[] firing = firing(e);
            typicalMarks = Math.max(typicalMarks, Math.min(3, count(firing)));
            boolean[] wrong = i < correctCount ? null : randomMarks(e.tokens(), firing, count(firing), random);
            items.add(
                    wrong == null
                            ? new Item(Prompts.marked(e.tokens(), firing), true)
                            : new Item(Prompts.marked(e.tokens(), wrong), false));
        }
        for (Example e : examples) {
            if (!e.activating()) {
                boolean[] marks = randomMarks(e.tokens(), new boolean[e.tokens().length], typicalMarks, random);
                items.add(new Item(Prompts.marked(e.tokens(), marks), false));
            }
        }
        return items;
    }

    private static boolean[] firing(Example e) {
        boolean[] f = new boolean[e.acts().length];
        for (int i = 0; i < f.length; i++) {
            f[i] = e.acts()[i] > 0 && !e.tokens()[i].isBlank();
        }
        return f;
    }

    /** {@code k} marks (at least one) on visible tokens outside {@code avoid}, chosen at random. */
    private static boolean[] randomMarks(String[] tokens, boolean[] avoid, int k, Random random) {
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (!avoid[i] && !tokens[i].isBlank()) {
                free.add(i);
            }
        }
        java.util.Collections.shuffle(free, random);
        boolean[] marks = new boolean[tokens.length];
        for (int i = 0; i < Math.min(Math.max(1, k), free.size()); i++) {
            marks[free.get(i)] = true;
        }
        return marks;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
