package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The offline explainer before issue 13 ({@link LegacyOfflineExplainer}) and now ({@link OfflineExplainer}),
 * on one catalogue, scored by the embedding scorer beside the null baseline: the {@link LabelReport}
 * of each over the same features (every {@code step}-th feature index with enough windows), every
 * label with a null drawn from the same explainer's explanations of the sample. An optional fourth
 * argument names the explainers to run: {@code both} (the default), {@code current} or {@code legacy}
 * (the legacy pass embeds every scoring example once and is the slow one).
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.saestream.label.LabelQualityBench \
 *     127.0.0.1:9092 all-minilm-l6-v2/layer3/topk-3072 10 [both|current|legacy]
 * </pre>
 */
public final class LabelQualityBench {
    private LabelQualityBench() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String saeId = args[1];
        int step = Integer.parseInt(args[2]);
        String which = args.length > 3 ? args[3] : "both";
        if (!List.of("both", "current", "legacy").contains(which)) {
            throw new IllegalArgumentException("explainers: both, current or legacy, not " + which);
        }
        LabelConfig cfg = LabelConfig.DEFAULTS;
        Map<String, Object> kafka = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        BackgroundIndex background = new BackgroundIndex();
        TopicFollower.readToEnd(
                cfg.topics().background(),
                kafka,
                r -> background.put(r.key(), r.value() == null ? null : Json.read(r.value(), BackgroundWindow.class)),
                Duration.ofMinutes(5));
        Map<String, FeatureState> states = new TreeMap<>();
        TopicFollower.readToEnd(
                cfg.topics().features(),
                kafka,
                r -> {
                    if (r.value() != null
                            && FeatureKey.saeId(r.key()).equals(saeId)
                            && FeatureKey.index(r.key()) % step == 0) {
                        FeatureState s = Json.read(r.value(), FeatureState.class);
                        if (s.windows() >= cfg.sampling().minWindows()) {
                            states.merge(r.key(), s, (a, b) -> b.version() >= a.version() ? b : a);
                        }
                    }
                },
                Duration.ofMinutes(10));
        System.out.printf(
                "%d features of %s (every %d-th index with at least %d windows)%n",
                states.size(), saeId, step, cfg.sampling().minWindows());
        Scorer embedding = EmbeddingScorer.load(cfg.scoring().embeddingModel());
        List<Explainer> explainers = new ArrayList<>();
        if (!which.equals("current")) {
            explainers.add(new LegacyOfflineExplainer(background));
        }
        if (!which.equals("legacy")) {
            explainers.add(new OfflineExplainer(background));
        }
        for (Explainer explainer : explainers) {
            Labeller labeller =
                    new Labeller(cfg, explainer, List.of(embedding), background, Map.of(), System::currentTimeMillis);
            ExampleSampler sampler = new ExampleSampler(cfg);
            // every explanation of the sample first, so that every label has a null to draw
            for (FeatureState s : states.values()) {
                Explainer.Explanation e =
                        explainer.explain(s, sampler.sample(s, background, null).explain(), new CostMeter());
                if (e.ok()) {
                    labeller.remember(new Label(
                            s.saeId(),
                            s.index(),
                            Label.Status.OK,
                            null,
                            e.text(),
                            explainer.info(),
                            Map.of(),
                            Cost.NONE,
                            new Label.Basis(s.version(), 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of()),
                            0,
                            List.of(),
                            List.of()));
                }
            }
            List<Label> labels = new ArrayList<>();
            long t0 = System.nanoTime();
            for (FeatureState s : states.values()) {
                labels.add(labeller.label(s, null));
            }
            System.out.printf(
                    "%n== %s (%.1f s) ==%n%s",
                    explainer.info().model(),
                    (System.nanoTime() - t0) / 1e9,
                    LabelReport.of(labels, states).text());
            labels.stream().limit(5).forEach(l -> System.out.println("  e.g. " + l.index() + ": " + l.explanation()));
        }
    }
}
