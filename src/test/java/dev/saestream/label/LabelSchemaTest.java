package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.label.ScriptedLlmServer.Dialect;
import dev.saestream.label.ScriptedLlmServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** topics/schemas/label.schema.json describes the labels the labeller really writes. */
class LabelSchemaTest {
    private static SchemaCheck schema() throws Exception {
        return new SchemaCheck(Json.MAPPER.readTree(Files.readAllBytes(Path.of("topics/schemas/label.schema.json"))));
    }

    @Test
    void realLabelsMatchTheSchemaAndRoundTrip() throws Exception {
        // given labels made through the LLM path: a full one with history, and a failed one
        SyntheticCatalog catalog =
                new SyntheticCatalog("schema-sae", SyntheticCatalog.englishDocs(200), SyntheticCatalog.standardSpecs());
        BackgroundIndex background = catalog.backgroundIndex(300, 4);
        FeatureState state = catalog.state(3, 2);
        try (ScriptedLlmServer server =
                new ScriptedLlmServer(new Oracle(Set.of("europe", "european"), "Europe")::answer)) {
            LabelConfig cfg = LabelConfig.DEFAULTS
                    .withLlmExplainer(LabelConfig.Provider.OLLAMA, server.baseUrl(Dialect.OLLAMA), "m")
                    .withScorers(List.of(
                            LabelConfig.ScorerKind.DETECTION,
                            LabelConfig.ScorerKind.FUZZING,
                            LabelConfig.ScorerKind.SIMULATION));
            cfg = cfg.withLlm(cfg.llm().withBackOff(1, 2));
            Labeller labeller = Labeller.create(cfg, background, Map.of());
            server.then(Reply.status(429), Reply.ok("no"), Reply.ok("still no"));
            Label failed = labeller.label(state, null);
            Label ok = labeller.label(catalog.state(3, 3), failed);
            assertThat(failed.status()).isEqualTo(Label.Status.FAILED);
            assertThat(ok.history()).hasSize(1);
            // and one scored beside a null baseline (another feature's explanation)
            labeller.remember(new Label(
                    "schema-sae",
                    0,
                    Label.Status.OK,
                    null,
                    "the word Parliament",
                    new Label.ExplainerInfo("offline", null, "m"),
                    Map.of(),
                    Cost.NONE,
                    new Label.Basis(1, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of()),
                    5,
                    List.of(),
                    List.of()));
            Label withNull = labeller.label(catalog.state(3, 4), ok);
            assertThat(withNull.scores().get("detection").baseline().explanation())
                    .isEqualTo("the word Parliament");
            assertThat(withNull.cost().byKind()).containsKeys("detection", "detection-null", "simulation-null");

            // then all validate against the schema, and read back equal
            SchemaCheck check = schema();
            for (Label label : List.of(failed, ok, withNull)) {
                JsonNode json = Json.MAPPER.readTree(Json.write(label));
                assertThat(check.errors(json)).as(label.status().name()).isEmpty();
                assertThat(Json.read(Json.write(label), Label.class)).isEqualTo(label);
            }
        }
    }

    @Test
    void theCheckRefusesWhatTheSchemaForbids() throws Exception {
        SchemaCheck check = schema();
        Label label = new Label(
                "s",
                1,
                Label.Status.OK,
                null,
                "x",
                new Label.ExplainerInfo("offline", null, "m"),
                Map.of(),
                Cost.NONE,
                new Label.Basis(1, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of()),
                5,
                List.of(),
                List.of());
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Json.write(label));
        assertThat(check.errors(json)).isEmpty();
        assertThat(check.errors(json.deepCopy().put("surprise", 1))).containsExactly("$: unexpected property surprise");
        ObjectNode noExplanation = json.deepCopy();
        noExplanation.remove("explanation");
        assertThat(check.errors(noExplanation)).containsExactly("$: missing explanation");
        assertThat(check.errors(json.deepCopy().put("status", "maybe"))).hasSize(1);
    }
}
