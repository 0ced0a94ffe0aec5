package dev.saestream.label;

import dev.langchain4j.model.chat.ChatModel;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels one feature: chooses its examples, explains it, scores the explanation with every
 * configured scorer and returns the {@link Label}, cost and evidence included.
 */
public final class Labeller {
    private static final Logger log = LoggerFactory.getLogger(Labeller.class);

    private final LabelConfig config;
    private final Explainer explainer;
    private final List<Scorer> scorers;
    private final BackgroundIndex background;
    private final Map<String, SimilarFeatures> similar;
    private final ExampleSampler sampler;
    private final NullExplanations nulls = new NullExplanations();
    private final LongSupplier clock;

    public Labeller(
            LabelConfig config,
            Explainer explainer,
            List<Scorer> scorers,
            BackgroundIndex background,
            Map<String, SimilarFeatures> similar,
            LongSupplier clock) {
        this.config = config;
        this.explainer = explainer;
        this.scorers = List.copyOf(scorers);
        this.background = background;
        this.similar = Map.copyOf(similar);
        this.sampler = new ExampleSampler(config);
        this.clock = clock;
    }

    /**
     * The labeller {@code config} describes: the LLM client (keys from {@code env}), the embedding
     * model and the decoders for hard negatives are built here, once.
     */
    public static Labeller create(LabelConfig config, BackgroundIndex background, Map<String, String> env)
            throws IOException {
        LlmClient llm = null;
        if (config.usesLlm()) {
            ChatModel model = ChatModels.create(config, env);
            llm = new LlmClient(model, config, CallLimits.of(config));
        }
        Explainer explainer = config.explainer() == LabelConfig.ExplainerKind.LLM
                ? new LlmExplainer(llm)
                : new OfflineExplainer(background);
        List<Scorer> scorers = new ArrayList<>();
        for (LabelConfig.ScorerKind kind : config.scorers()) {
            scorers.add(
                    switch (kind) {
                        case DETECTION ->
                            new DetectionScorer(llm, config.scoring().examplesPerPrompt());
                        case FUZZING -> new FuzzingScorer(llm, config.scoring().examplesPerPrompt());
                        case SIMULATION ->
                            new SimulationScorer(
                                    llm,
                                    config.scoring().simulationExamples(),
                                    config.scoring().simulationExamplesPerPrompt());
                        case INTRUDER -> new IntruderScorer(llm, IntruderScorer.DEFAULT_PER_QUESTION);
                        case EMBEDDING -> EmbeddingScorer.load(config.scoring().embeddingModel());
                    });
        }
        Map<String, SimilarFeatures> similar = decoders(config);
        if (config.sampling().hardNegatives() > 0 && similar.isEmpty()) {
            log.warn(
                    "label.sampling.hardNegatives is {} but no decoder is configured (label.sampling.saes or"
                            + " label.sampling.decoders); scoring without hard negatives",
                    config.sampling().hardNegatives());
        }
        return new Labeller(config, explainer, scorers, background, similar, System::currentTimeMillis);
    }

    /**
     * The decoder directions of every SAE {@code config} names, by SAE id: the .npy matrices of
     * {@link LabelConfig.Sampling#decoders} under their given ids, the SAE directories of
     * {@link LabelConfig.Sampling#saes} under the ids they declare. One id, one decoder.
     */
    static Map<String, SimilarFeatures> decoders(LabelConfig config) throws IOException {
        Map<String, SimilarFeatures> similar = new HashMap<>();
        Map<String, String> from = new HashMap<>();
        for (Map.Entry<String, String> d : config.sampling().decoders().entrySet()) {
            similar.put(d.getKey(), SimilarFeatures.fromNpy(Path.of(d.getValue())));
            from.put(d.getKey(), "label.sampling.decoders: " + d.getValue());
        }
        for (String dir : config.sampling().saes()) {
            Sae sae;
            try {
                sae = Sae.load(Path.of(dir));
            } catch (IOException e) {
                throw new IOException("label.sampling.saes: " + e.getMessage(), e);
            }
            String other = from.putIfAbsent(sae.id(), "label.sampling.saes: " + dir);
            if (other != null) {
                throw new IllegalArgumentException("label.sampling.saes: " + dir + " is SAE " + sae.id()
                        + ", whose decoder " + other + " already gives; keep one of them");
            }
            similar.put(sae.id(), SimilarFeatures.of(sae));
            log.info(
                    "hard negatives for SAE {} from the decoder in {} ({} features)",
                    sae.id(),
                    dir,
                    sae.config().dSae());
        }
        return similar;
    }

    public LabelConfig config() {
        return config;
    }

    /** Keeps {@code label}'s explanation as a candidate null for other features (labels read back from the topic). */
    public void remember(Label label) {
        nulls.remember(label);
    }

    /**
     * Labels {@code state}; {@code previous} (may be null) goes into the new label's history.
     *
     * @throws LlmUnavailableException when the explainer's LLM stays unreachable: nothing was
     *     learned, nothing should be written, and the feature should be tried again later
     */
    public Label label(FeatureState state, Label previous) throws LlmUnavailableException {
        List<String> warnings = new ArrayList<>();
        ExampleSampler.Samples samples = sample(state, warnings);
        int block = config.sampling().splitBlockTokens();
        if (samples.explain().stream().anyMatch(w -> !ExampleSampler.explainSide(w.doc(), w.peak(), block))) {
            warnings.add(
                    "explained from scoring-side windows: every window of this feature fell on the scoring side of the split");
        }
        CostMeter meter = new CostMeter();
        Explainer.Explanation explanation = explainer.explain(state, samples.explain(), meter);

        Map<String, Score> scores = new LinkedHashMap<>();
        if (explanation.ok()) {
            List<Example> scoring = samples.scoring();
            if (samples.activating().isEmpty() || samples.negatives().isEmpty()) {
                warnings.add("not scored: " + samples.activating().size() + " held-out activating and "
                        + samples.negatives().size() + " non-activating windows (need at least one of each)");
            } else {
                long seed = Hashing.seed(state.key(), state.version());
                // absent until another feature of this SAE has an explanation (the very first label)
                String nullText = config.scoring().nullBaseline()
                        ? nulls.draw(state.saeId(), state.index(), explanation.text(), ~seed)
                        : null;
                for (Scorer scorer : scorers) {
                    try {
                        Score score = scorer.score(explanation.text(), state, scoring, seed, meter);
                        if (nullText != null) {
                            // the same scorer, seed and examples: only the explanation differs
                            Score none = scorer.score(nullText, state, scoring, seed, meter.forNull());
                            score = score.withBaseline(Score.Baseline.of(none, nullText));
                        }
                        scores.put(scorer.name(), score);
                    } catch (LlmUnavailableException e) {
                        // the explanation is paid for: keep it, and say which score is missing
                        warnings.add(scorer.name() + " not scored: " + e.getMessage());
                        log.warn("{}: {} not scored: {}", state.key(), scorer.name(), e.getMessage());
                    }
                }
            }
        }
        Label.Basis basis = new Label.Basis(
                state.version(),
                state.density(),
                state.activations(),
                state.windows(),
                state.max(),
                ids(state.top()),
                ids(samples.explain()),
                samples.activating().stream().map(Example::id).toList(),
                samples.negatives().stream().map(Example::id).toList());
        Label label = new Label(
                state.saeId(),
                state.index(),
                explanation.ok() ? Label.Status.OK : Label.Status.FAILED,
                explanation.failure(),
                explanation.text(),
                explainer.info(),
                scores,
                meter.cost(),
                basis,
                clock.getAsLong(),
                warnings,
                previous == null ? List.of() : previous.historyFor(config.historySize()));
        nulls.remember(label);
        return label;
    }

    /**
     * The LLM calls {@link #label} would make for {@code state}, built but not sent: the explainer's,
     * then every scorer's (and its null baseline's) as if the explanation came back as
     * {@code expected}, whose length is what the scoring prompts' estimate rests on.
     */
    public List<PlannedCall> plan(FeatureState state, String expected) {
        ExampleSampler.Samples samples = sample(state, new ArrayList<>());
        List<PlannedCall> calls = new ArrayList<>(explainer.plan(state, samples.explain(), expected));
        if (samples.explain().isEmpty()
                || samples.activating().isEmpty()
                || samples.negatives().isEmpty()) {
            return calls;
        }
        long seed = Hashing.seed(state.key(), state.version());
        String nullText =
                config.scoring().nullBaseline() ? nulls.draw(state.saeId(), state.index(), expected, ~seed) : null;
        for (Scorer scorer : scorers) {
            calls.addAll(scorer.plan(expected, state, samples.scoring(), seed));
            if (nullText != null) {
                scorer.plan(nullText, state, samples.scoring(), seed).forEach(c -> calls.add(c.forNull()));
            }
        }
        return calls;
    }

    /** Who explains, as recorded in the labels this labeller writes. */
    public Label.ExplainerInfo explainerInfo() {
        return explainer.info();
    }

    /** The examples {@link #label} explains and scores with; what they lack goes to {@code warnings}. */
    private ExampleSampler.Samples sample(FeatureState state, List<String> warnings) {
        int[] nearest = null;
        if (config.sampling().hardNegatives() > 0) {
            SimilarFeatures sim = similar.get(state.saeId());
            if (sim == null) {
                warnings.add("no hard negatives: no decoder for SAE " + state.saeId()
                        + " (label.sampling.saes, label.sampling.decoders)");
            } else if (state.index() >= sim.features()) {
                warnings.add("no hard negatives: the decoder for SAE " + state.saeId() + " has " + sim.features()
                        + " features, not " + (state.index() + 1));
            } else {
                nearest = sim.mostSimilar(state.index(), config.sampling().similarFeatures());
            }
        }
        return sampler.sample(state, background, nearest);
    }

    private static List<String> ids(List<FeatureWindow> windows) {
        return windows.stream().map(FeatureWindow::id).toList();
    }
}
