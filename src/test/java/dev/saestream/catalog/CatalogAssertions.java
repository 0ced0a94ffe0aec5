package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Checks shared by the catalogue's tests on a real broker: wait for it, then hold it to the batch reference. */
public final class CatalogAssertions {
    private CatalogAssertions() {}

    /**
     * Waits until {@code apps} together have counted {@code expected} documents and each has settled
     * (statistics checkpointed, every changed feature emitted), so their queries show all of it.
     */
    public static void awaitDocuments(String sae, long expected, CatalogApp... apps) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        long seen = -1;
        while (System.currentTimeMillis() < deadline) {
            try {
                seen = apps[0].queries().totals(sae).documents();
                if (seen == expected
                        && java.util.Arrays.stream(apps)
                                .allMatch(a -> a.counters().settled())) {
                    return;
                }
            } catch (RuntimeException rebalancing) {
                // a rebalance or a not-yet-running instance: ask again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("catalog saw " + seen + " of " + expected + " documents");
    }

    public static void matchesReference(CatalogQueries q, String sae, BatchCatalog expected, CatalogConfig config) {
        assertThat(q.totals(sae).tokens()).isEqualTo(expected.tokens);
        expected.features.forEach((f, e) -> {
            FeatureState s = q.feature(sae, f).orElseThrow(() -> new AssertionError("feature " + f + " is missing"));
            assertThat(s.activations()).as("activations of %d", f).isEqualTo(e.activations);
            assertThat(s.documents()).as("documents of %d", f).isEqualTo(e.documents);
            assertThat(new BigDecimal(s.sum())).as("sum of %d", f).isEqualByComparingTo(e.sum);
            assertThat(s.max()).isEqualTo(e.max);
            assertThat(s.histogram().counts()).containsExactly(e.histogram);
            assertThat(s.version()).isEqualTo(e.version);
            assertThat(s.top()).as("top of %d", f).containsExactlyElementsOf(e.top(config.topK()));
            assertThat(s.reservoir())
                    .as("reservoir of %d", f)
                    .containsExactlyElementsOf(e.reservoir(config.reservoirSize()));
        });
        FeaturePage page = q.page(sae, FeatureSummary.Sort.DENSITY, 0, 10);
        assertThat(page.total()).isEqualTo(expected.features.size());
        List<Integer> byDensity = expected.features.entrySet().stream()
                .sorted((a, b) -> a.getValue().activations != b.getValue().activations
                        ? Long.compare(b.getValue().activations, a.getValue().activations)
                        : Integer.compare(a.getKey(), b.getKey()))
                .map(Map.Entry::getKey)
                .limit(10)
                .toList();
        assertThat(page.features()).extracting(FeatureSummary::index).containsExactlyElementsOf(byDensity);
    }
}
