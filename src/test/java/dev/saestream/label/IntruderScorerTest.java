package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.FeatureState;
import dev.saestream.label.ScriptedLlmServer.Dialect;
import dev.saestream.label.ScriptedLlmServer.Reply;
import dev.saestream.label.ScriptedLlmServer.Request;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The intruder scorer through the real OpenAI client against the scripted server: right, wrong and malformed answers. */
class IntruderScorerTest {
    private static SyntheticCatalog catalog;
    private static BackgroundIndex background;
    private static FeatureState parliament;
    private static Oracle oracle;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog(
                "intruder-sae", SyntheticCatalog.englishDocs(250), SyntheticCatalog.standardSpecs());
        background = catalog.backgroundIndex(300, 3);
        parliament = catalog.state(0, 1);
        oracle = new Oracle(Set.of("parliament"), "the word Parliament");
    }

    private record Run(Label label, List<Request> requests) {
        Score score() {
            return label.scores().get("intruder");
        }
    }

    private static Run run(Function<Request, Reply> answer) throws Exception {
        try (ScriptedLlmServer server = new ScriptedLlmServer(answer::apply)) {
            LabelConfig cfg = LabelConfig.DEFAULTS
                    .withScorers(List.of(LabelConfig.ScorerKind.INTRUDER))
                    .withLlm(LabelConfig.DEFAULTS
                            .llm()
                            .withServer(LabelConfig.Provider.OPENAI, server.baseUrl(Dialect.OPENAI), "m")
                            .withBackOff(1, 2))
                    .withScoring(LabelConfig.DEFAULTS.scoring().withNullBaseline(false));
            Label label = Labeller.create(cfg, background, Map.of()).label(parliament, null);
            return new Run(label, server.requests());
        }
    }

    /** Questions the sample allows: one per four held-out activating windows, each with one non-activating. */
    private static int questions() {
        ExampleSampler.Samples s = new ExampleSampler(LabelConfig.DEFAULTS).sample(parliament, background, null);
        return Math.min(s.negatives().size(), s.activating().size() / (IntruderScorer.DEFAULT_PER_QUESTION - 1));
    }

    @Test
    void rightAnswersScoreOne() throws Exception {
        Run run = run(oracle::answer);
        int n = questions();
        assertThat(n).isGreaterThanOrEqualTo(5);
        assertThat(run.requests()).hasSize(n).allMatch(r -> r.system().equals(Prompts.INTRUDER_SYSTEM));
        // every question holds four examples with the feature's word and one without
        for (Request r : run.requests()) {
            assertThat(Oracle.examples(r.user())).hasSize(IntruderScorer.DEFAULT_PER_QUESTION);
            assertThat(r.user())
                    .startsWith("Explanation: "
                            + dev.saestream.formats.Json.writeString(run.label().explanation()) + "\n\n");
        }
        Score s = run.score();
        assertThat(s.metric()).isEqualTo("accuracy");
        assertThat(s.n()).isEqualTo(n);
        assertThat(s.value()).isEqualTo(1.0);
        assertThat(s.parseFailures()).isZero();
        Stats.Interval ci = Stats.wilson(n, n);
        assertThat(s.ciLow()).isEqualTo(ci.low());
        assertThat(s.details()).containsEntry("chance", 0.2);
        assertThat(run.label().cost().byKind().get("intruder").calls()).isEqualTo(n);
    }

    @Test
    void wrongAnswersScoreZero() throws Exception {
        // the example after the true intruder, every time
        Run run = run(r -> Reply.ok(
                "{\"intruder\": " + (oracle.intruder(r.user()) % IntruderScorer.DEFAULT_PER_QUESTION + 1) + "}"));
        assertThat(run.score().value()).isZero();
        assertThat(run.score().n()).isEqualTo(questions());
        assertThat(run.score().parseFailures()).isZero();
    }

    @Test
    void halfRightIsCountedExactly() throws Exception {
        // always "example 1": right exactly where the intruder was put first, counted here from the prompts
        Run run = run(r -> Reply.ok("{\"intruder\": 1}"));
        long first = run.requests().stream()
                .filter(r -> oracle.intruder(r.user()) == 1)
                .count();
        assertThat(run.score().value()).isEqualTo((double) first / questions());
    }

    @Test
    void malformedAnswersAreParseFailuresCountedWrong() throws Exception {
        Run run = run(
                r -> Reply.ok(r.user().contains("\"example\":5") ? "{\"intruder\": 9}" : "{\"intruder\": \"two\"}"));
        int n = questions();
        Score s = run.score();
        assertThat(s.value()).isZero();
        assertThat(s.n()).isEqualTo(n);
        assertThat(s.parseFailures()).isEqualTo(n);
        assertThat(s.parseFailureRate()).isEqualTo(1.0);
        assertThat(s.failures()).isNotEmpty().allMatch(f -> f.contains("intruder"));
        // each question asked once more after its malformed answer (label.llm.malformedRetries = 1)
        assertThat(run.requests()).hasSize(2 * n);
    }
}
