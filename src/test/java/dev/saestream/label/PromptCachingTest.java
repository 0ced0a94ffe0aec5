package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.FeatureState;
import dev.saestream.label.ScriptedLlmServer.Dialect;
import dev.saestream.label.ScriptedLlmServer.Reply;
import dev.saestream.label.ScriptedLlmServer.Request;
import dev.saestream.label.ScriptedLlmServer.Usage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prompt caching through the real OpenAI and Anthropic clients against the scripted server: the
 * requests ask for it where the provider needs asking, and the cached tokens the provider reports
 * are counted apart in the label's cost, call by call.
 */
class PromptCachingTest {
    private static SyntheticCatalog catalog;
    private static BackgroundIndex background;
    private static FeatureState parliament;
    private static Oracle oracle;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog(
                "caching-sae", SyntheticCatalog.englishDocs(250), SyntheticCatalog.standardSpecs());
        background = catalog.backgroundIndex(300, 3);
        parliament = catalog.state(0, 1);
        oracle = new Oracle(Set.of("parliament"), "the word Parliament");
    }

    private record Run(Label label, List<Request> requests, List<Usage> reported) {}

    /** Labels with the LLM explainer and detection, every answer reporting made-up usage figures that differ per call. */
    private static Run label(Dialect dialect) throws Exception {
        AtomicInteger call = new AtomicInteger();
        try (ScriptedLlmServer server = new ScriptedLlmServer(r -> {
            int i = call.getAndIncrement();
            long input = 1_500 + 13L * i;
            long read = i == 0 ? 0 : 1_024 + i;
            long write = dialect == Dialect.ANTHROPIC && i == 0 ? 1_100 : 0;
            return Reply.ok(oracle.answer(r).text(), new Usage(input, 20 + i, read, write));
        })) {
            LabelConfig cfg = LabelConfig.DEFAULTS
                    .withLlmExplainer(LabelConfig.Provider.of(dialect.name()), server.baseUrl(dialect), "m")
                    .withScorers(List.of(LabelConfig.ScorerKind.DETECTION))
                    .withScoring(LabelConfig.DEFAULTS.scoring().withNullBaseline(false));
            Label label = Labeller.create(cfg, background, Map.of()).label(parliament, null);
            return new Run(label, server.requests(), server.reported());
        }
    }

    private static void assertCountedApart(Run run) {
        Cost cost = run.label().cost();
        List<Usage> reported = run.reported();
        assertThat(cost.perCall()).hasSize(reported.size());
        for (int i = 0; i < reported.size(); i++) {
            Cost.Call c = cost.perCall().get(i);
            Usage u = reported.get(i);
            assertThat(c.inputTokens()).as("input of call %d", i).isEqualTo(u.input());
            assertThat(c.cachedInputTokens()).as("cached input of call %d", i).isEqualTo(u.cacheRead());
            assertThat(c.cacheWriteInputTokens())
                    .as("cache writes of call %d", i)
                    .isEqualTo(u.cacheWrite());
            assertThat(c.outputTokens()).isEqualTo(u.output());
        }
        assertThat(cost.inputTokens())
                .isEqualTo(reported.stream().mapToLong(Usage::input).sum());
        assertThat(cost.cachedInputTokens())
                .isEqualTo(reported.stream().mapToLong(Usage::cacheRead).sum())
                .isPositive();
        assertThat(cost.cacheWriteInputTokens())
                .isEqualTo(reported.stream().mapToLong(Usage::cacheWrite).sum());
        assertThat(cost.byKind().values().stream()
                        .mapToLong(Cost.KindCost::cachedInputTokens)
                        .sum())
                .isEqualTo(cost.cachedInputTokens());
        // cached tokens at a tenth of the input price: what caching saved is 0.9 of them at the input price
        double full = cost.dollars(1, 1, 1, 0);
        assertThat(cost.dollars(1, 0.1, 1, 0))
                .isCloseTo(full - 0.9 * cost.cachedInputTokens() / 1e6, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void openAiCachedTokensAreCountedApartAndTheSharedInstructionsComeFirst() throws Exception {
        Run run = label(Dialect.OPENAI);

        assertThat(run.label().status()).isEqualTo(Label.Status.OK);
        assertCountedApart(run);
        // the system message, the same for every call of a kind, is the first message: OpenAI caches that prefix
        for (Request r : run.requests()) {
            assertThat(r.body().get("messages").get(0).get("role").asText()).isEqualTo("system");
        }
        assertThat(run.requests().stream().skip(1).map(Request::system).distinct())
                .hasSize(1);
    }

    @Test
    void anthropicCacheReadsAndWritesAreCountedApartAndTheInstructionsAreMarkedForCaching() throws Exception {
        Run run = label(Dialect.ANTHROPIC);

        assertThat(run.label().status()).isEqualTo(Label.Status.OK);
        assertCountedApart(run);
        assertThat(run.label().cost().cacheWriteInputTokens()).isEqualTo(1_100);
        for (Request r : run.requests()) {
            assertThat(r.body()
                            .path("system")
                            .path(0)
                            .path("cache_control")
                            .path("type")
                            .asText())
                    .isEqualTo("ephemeral");
        }
    }
}
