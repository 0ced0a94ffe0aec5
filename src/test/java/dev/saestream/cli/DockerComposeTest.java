package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.saestream.config.Settings;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.TopicSpec;
import dev.saestream.kafka.TopicSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the compose file is checked by reading it: its services and
 * images, and that every config file, topic and port it names exists and agrees with the repo.
 */
class DockerComposeTest {
    static JsonNode compose;
    static String raw;

    @BeforeAll
    static void read() throws Exception {
        raw = Files.readString(Path.of("docker-compose.yml"));
        compose = new ObjectMapper(new YAMLFactory()).readTree(raw);
    }

    private static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null) {
            n.forEach(e -> out.add(e.asText()));
        }
        return out;
    }

    @Test
    void hasAKraftBrokerFromTheApacheImageAndSaestreamServicesBuiltHere() {
        JsonNode services = compose.get("services");
        assertThat(services.get("kafka").get("image").asText()).startsWith("apache/kafka:");
        assertThat(services.get("kafka")
                        .get("environment")
                        .get("KAFKA_PROCESS_ROLES")
                        .asText())
                .isEqualTo("broker,controller");
        List<String> built = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            if (e.getValue().has("build")) {
                built.add(e.getKey());
                assertThat(Path.of(e.getValue().get("build").asText()).resolve("Dockerfile"))
                        .exists();
            }
        });
        assertThat(built).contains("topics", "produce", "encode", "catalog", "label");
        assertThat(list(services.get("topics").get("command"))).startsWith("topics", "create");
    }

    @Test
    void everyServiceCommandIsAValidSaestreamCommandLine() {
        compose.get("services").fields().forEachRemaining(e -> {
            if (e.getValue().has("build")) {
                String[] args = list(e.getValue().get("command")).toArray(String[]::new);
                assertThatCode(() -> Main.commandLine().parseArgs(args))
                        .as("service %s", e.getKey())
                        .doesNotThrowAnyException();
            }
        });
    }

    @Test
    void everyConfigFileItNamesExistsAndPointsAtTheKafkaService() {
        JsonNode services = compose.get("services");
        JsonNode kafkaEnv = services.get("kafka").get("environment");
        Set<String> advertised =
                Set.of(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").asText().split(","));
        List<String> configs = new ArrayList<>();
        services.forEach(s -> {
            List<String> cmd = list(s.get("command"));
            for (int i = 0; i < cmd.size() - 1; i++) {
                if (cmd.get(i).equals("--config")) {
                    configs.add(cmd.get(i + 1));
                }
            }
        });
        assertThat(configs).isNotEmpty();
        for (String c : configs) {
            Path file = Path.of(c);
            assertThat(file).exists();
            ClusterConfig cluster =
                    Settings.load(file, Map.of()).section(ClusterConfig.SECTION, ClusterConfig.defaults());
            assertThat(cluster.embedded())
                    .as("%s must name the compose broker", c)
                    .isFalse();
            for (String server : cluster.bootstrapServers().split(",")) {
                assertThat(advertised)
                        .as("%s's %s must be an advertised listener of the kafka service", c, server)
                        .anyMatch(l -> l.endsWith("://" + server));
            }
            assertThat(Path.of(cluster.topicsDir())).isDirectory();
        }
    }

    @Test
    void publishedPortsAreListenedOnAndTopicNamesExist() throws Exception {
        JsonNode kafka = compose.get("services").get("kafka");
        String listeners = kafka.get("environment").get("KAFKA_LISTENERS").asText();
        for (String mapping : list(kafka.get("ports"))) {
            String container = mapping.substring(mapping.lastIndexOf(':') + 1);
            assertThat(listeners).contains(":" + container);
        }
        String voters =
                kafka.get("environment").get("KAFKA_CONTROLLER_QUORUM_VOTERS").asText();
        assertThat(listeners).contains("CONTROLLER://:" + voters.substring(voters.lastIndexOf(':') + 1));
        Set<String> topics =
                TopicSpecs.load(Path.of("topics")).stream().map(TopicSpec::name).collect(Collectors.toSet());
        Matcher m = Pattern.compile("saestream\\.[a-z]+").matcher(raw);
        while (m.find()) {
            assertThat(topics).contains(m.group());
        }
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("COPY config").contains("COPY topics").contains("COPY saes");
    }
}
