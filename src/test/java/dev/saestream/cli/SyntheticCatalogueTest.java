package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.config.Settings;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.label.Label;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.serve.ServeConfig;
import dev.saestream.serve.ServeServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic catalogue {@code bench serve --synthetic-features} times the server over: what serve reads. */
class SyntheticCatalogueTest {
    private static final SyntheticCatalogue CATALOGUE = new SyntheticCatalogue();

    @Test
    void statesAreFullAndReadBackEqual() {
        // given a synthetic feature and its label
        FeatureState s = CATALOGUE.state("syn", 7, 50_000_000L, 1_000_000L);
        Label label = SyntheticCatalogue.label(s);

        // then it has the catalog's shape: top windows in rank order, a full reservoir, windows of 32 tokens
        assertThat(s.top()).hasSize(SyntheticCatalogue.TOP).isSortedAccordingTo(FeatureWindow.BY_ACTIVATION_DESC);
        assertThat(s.reservoir()).hasSize(SyntheticCatalogue.RESERVOIR);
        assertThat(s.top()).allSatisfy(w -> assertThat(w.tokens()).hasSize(SyntheticCatalogue.WINDOW));
        assertThat(s.max()).isEqualTo(s.top().get(0).max());
        assertThat(s.histogram().total()).isEqualTo(s.activations());
        assertThat(s.windows()).isLessThanOrEqualTo(s.activations());
        assertThat(s.documents()).isLessThanOrEqualTo(s.windows());
        // and the same index makes the same feature
        assertThat(CATALOGUE.state("syn", 7, 50_000_000L, 1_000_000L)).isEqualTo(s);

        // and both read back equal from the JSON written to the topics
        assertThat(Json.read(Json.write(s), FeatureState.class)).isEqualTo(s);
        assertThat(Json.read(Json.write(label), Label.class)).isEqualTo(label);
        assertThat(label.key()).isEqualTo(s.key());
        assertThat(label.basis().topIds()).hasSize(SyntheticCatalogue.TOP);
    }

    @Test
    void theStandaloneServerServesThePublishedCatalogue(@TempDir Path tmp) throws Exception {
        // given 40 synthetic features and labels on a fresh broker, and a server started as bench serve starts it
        int n = 40;
        Settings settings = Settings.defaultsOnly();
        ServeConfig sc = ServeConfig.defaults().withHost("127.0.0.1").withPort(0);
        try (KafkaSession session = KafkaSession.startOrConnect(
                new ClusterConfig(null, ClusterConfig.defaults().topicsDir(), 0, Map.of()),
                new BrokerConfig("127.0.0.1", 0, 0, tmp.resolve("kafka").toString(), Map.of()))) {
            session.createTopics();
            assertThat(CATALOGUE.publish(session.clientConfig(), ServeBenchCommand.SYNTHETIC_SAE, n))
                    .isPositive();
            try (ServeServer server = ServeBenchCommand.startStandalone(settings, sc, session)) {
                ServeBenchCommand.awaitFeatures(server, n);
                String base = "http://127.0.0.1:" + server.port();

                // then every endpoint bench serve times answers over all of them
                for (String path : ServeBenchCommand.SYNTHETIC_ENDPOINTS.values()) {
                    assertThat(get(base + path.replace("{index}", "5")).isObject())
                            .as(path)
                            .isTrue();
                }
                JsonNode list = get(base + "/api/features?limit=50");
                assertThat(list.get("total").asInt()).isEqualTo(n);
                assertThat(list.get("items")).hasSize(n);

                // and the word searched for finds exactly the labels that have it
                Set<Integer> expected = new TreeSet<>();
                for (int i = 0; i < n; i++) {
                    FeatureState s = CATALOGUE.state(ServeBenchCommand.SYNTHETIC_SAE, i, 1, 1);
                    if (SyntheticCatalogue.label(s).explanation().contains(SyntheticCatalogue.QUERY)) {
                        expected.add(i);
                    }
                }
                assertThat(expected).isNotEmpty();
                Set<Integer> found = new TreeSet<>();
                get(base + "/api/features?limit=50&q=" + SyntheticCatalogue.QUERY)
                        .get("items")
                        .forEach(i -> found.add(i.get("index").asInt()));
                assertThat(found).isEqualTo(expected);

                // and a feature comes back with its top windows and its label
                FeatureState five = CATALOGUE.state(ServeBenchCommand.SYNTHETIC_SAE, 5, 1, 1);
                JsonNode feature = get(base + "/api/features/5");
                List<String> peaks = new ArrayList<>();
                feature.get("top")
                        .forEach(w -> peaks.add(
                                w.get("doc").asText() + "#" + w.get("peak").asInt()));
                assertThat(peaks)
                        .isEqualTo(five.top().stream().map(FeatureWindow::id).toList());
                assertThat(feature.get("label").get("explanation").asText())
                        .isEqualTo(SyntheticCatalogue.label(five).explanation());
            }
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
