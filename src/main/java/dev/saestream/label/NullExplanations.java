package dev.saestream.label;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The explanations a null baseline is drawn from: the latest ok explanation of every feature,
 * by SAE, as labelled here or read back from {@code saestream.labels}. A null for a feature is
 * another feature's explanation of the same SAE, drawn at random with a seed, so that a score can
 * be told apart from what any explanation of this catalogue would reach on the same examples.
 */
public final class NullExplanations {
    private final Map<String, ConcurrentSkipListMap<Integer, String>> bySae = new ConcurrentHashMap<>();

    /** Keeps {@code label}'s explanation as a candidate null for the other features of its SAE. */
    public void remember(Label label) {
        if (label.status() == Label.Status.OK) {
            bySae.computeIfAbsent(label.saeId(), k -> new ConcurrentSkipListMap<>())
                    .put(label.index(), label.explanation());
        }
    }

    /**
     * Another feature's explanation for feature {@code index} of {@code saeId}, chosen uniformly by
     * {@code seed} among those whose text differs from {@code explanation}; null when there is none.
     */
    public String draw(String saeId, int index, String explanation, long seed) {
        Map<Integer, String> known = bySae.get(saeId);
        if (known == null) {
            return null;
        }
        // in index order, so that one seed over one set of explanations always draws the same
        List<String> candidates = new ArrayList<>();
        known.forEach((i, text) -> {
            if (i != index && !text.equals(explanation)) {
                candidates.add(text);
            }
        });
        return candidates.isEmpty() ? null : candidates.get(new Random(seed).nextInt(candidates.size()));
    }
}
