package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.label.ScriptedLlmServer.Dialect;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a label costs in LLM calls and tokens at the default sample sizes, measured: the LLM
 * explainer and the three LLM scorers run against the local scripted server, which counts tokens
 * with tiktoken's o200k encoding (OpenAI's per-message overhead included) and answers with
 * minimal correct JSON. Windows are {@value SyntheticCatalog#WINDOW} tokens of English Europarl.
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * flock /tmp/saestream-bench.lock java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.saestream.label.LabelCostBench [openai|anthropic]
 * </pre>
 *
 * <p>The server reports prompt caching as the provider would (see {@link ScriptedLlmServer#caching}): a
 * repeated instruction prefix of at least 1,024 tokens is read from the cache.
 */
public final class LabelCostBench {
    private LabelCostBench() {}

    public static void main(String[] args) throws Exception {
        SyntheticCatalog catalog =
                new SyntheticCatalog("bench-sae", SyntheticCatalog.englishDocs(400), SyntheticCatalog.standardSpecs());
        BackgroundIndex background = catalog.backgroundIndex(500, 1);
        int[] features = {0, 1, 2, 3, 4, 6, 7, 9, 10, 11};
        Map<String, long[]> perKind = new LinkedHashMap<>();
        Dialect dialect = args.length > 0 ? Dialect.valueOf(args[0].toUpperCase(Locale.ROOT)) : Dialect.OPENAI;
        for (int f : features) {
            Set<String> words = wordsOf(catalog, catalog.specs.get(f));
            Oracle oracle = new Oracle(words, "the word \"" + words.iterator().next() + "\"");
            try (ScriptedLlmServer server = new ScriptedLlmServer(oracle::answer).caching(1024)) {
                LabelConfig cfg = LabelConfig.DEFAULTS
                        .withLlmExplainer(LabelConfig.Provider.of(dialect.name()), server.baseUrl(dialect), "bench")
                        .withScorers(List.of(
                                LabelConfig.ScorerKind.DETECTION,
                                LabelConfig.ScorerKind.FUZZING,
                                LabelConfig.ScorerKind.SIMULATION));
                FeatureState state = catalog.state(f, 1);
                Label label = Labeller.create(cfg, background, Map.of()).label(state, null);
                label.cost().byKind().forEach((kind, c) -> {
                    long[] acc = perKind.computeIfAbsent(kind, k -> new long[5]);
                    acc[0] += c.calls();
                    acc[1] += c.inputTokens();
                    acc[2] += c.outputTokens();
                    acc[3] += c.cachedInputTokens();
                    acc[4] += c.cacheWriteInputTokens();
                });
            }
        }
        int n = features.length;
        System.out.printf(
                Locale.ROOT,
                "LLM cost of one label at the defaults, %s (mean of %d features, %d-token windows, o200k tokens)%n",
                dialect.name().toLowerCase(Locale.ROOT),
                n,
                SyntheticCatalog.WINDOW);
        System.out.printf(
                Locale.ROOT,
                "%-11s %6s %12s %12s %12s %12s %14s%n",
                "kind",
                "calls",
                "input",
                "cached",
                "cache-write",
                "output",
                "input/call");
        long[] total = new long[5];
        for (Map.Entry<String, long[]> e : perKind.entrySet()) {
            long[] a = e.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "%-11s %6.1f %12.0f %12.0f %12.0f %12.0f %14.0f%n",
                    e.getKey(),
                    (double) a[0] / n,
                    (double) a[1] / n,
                    (double) a[3] / n,
                    (double) a[4] / n,
                    (double) a[2] / n,
                    (double) a[1] / a[0]);
            for (int i = 0; i < total.length; i++) {
                total[i] += a[i];
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%-11s %6.1f %12.0f %12.0f %12.0f %12.0f%n",
                "total",
                (double) total[0] / n,
                (double) total[1] / n,
                (double) total[3] / n,
                (double) total[4] / n,
                (double) total[2] / n);
    }

    private static Set<String> wordsOf(SyntheticCatalog catalog, SyntheticCatalog.Spec spec) {
        Set<String> words = new java.util.TreeSet<>();
        for (SyntheticCatalog.Doc d : catalog.docs) {
            for (String t : d.tokens()) {
                String norm = TokenStats.normalise(t);
                if (spec.fires().test(norm)) {
                    words.add(norm);
                }
            }
        }
        return words;
    }
}
