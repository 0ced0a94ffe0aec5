package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import java.util.List;
import java.util.Random;

/** Detection: given the explanation, does this example contain the feature? Balanced accuracy. */
public final class DetectionScorer extends ClassificationScorer {
    public DetectionScorer(LlmClient llm, int perPrompt) {
        super(llm, perPrompt);
    }

    @Override
    public String name() {
        return "detection";
    }

    @Override
    List<Item> items(FeatureState state, List<Example> examples, Random random) {
        return examples.stream().map(e -> new Item(e.text(), e.activating())).toList();
    }

    @Override
    String system() {
        return Prompts.DETECTION_SYSTEM;
    }

    @Override
    String field() {
        return "fires";
    }
}
