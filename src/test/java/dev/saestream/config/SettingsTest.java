package dev.saestream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    record Sample(String name, int size, boolean on, List<String> tags) {
        Sample withSize(int size) {
            return new Sample(name, size, on, tags);
        }
    }

    static final Sample DEFAULTS = new Sample("default", 1, false, List.of("a"));

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void precedenceIsDefaultsThenFileThenEnvironmentThenFlags() throws IOException {
        Path f = file("sample:\n  name: from-file\n  size: 2\n  on: true\n");
        Map<String, String> env = Map.of("SAESTREAM_SAMPLE_SIZE", "3", "SAESTREAM_SAMPLE_TAGS", "[x, y]");
        Integer notGiven = null; // not given on the command line: must not override
        assertThat(Settings.load(f, env)
                        .section(
                                "sample",
                                DEFAULTS,
                                s -> Flags.on(s)
                                        .given(notGiven, Sample::withSize)
                                        .config()))
                .isEqualTo(new Sample("from-file", 3, true, List.of("x", "y")));
        assertThat(Settings.load(f, env)
                        .section(
                                "sample",
                                DEFAULTS,
                                s -> Flags.on(s).given(4, Sample::withSize).config())
                        .size())
                .isEqualTo(4);
        assertThat(Settings.load(f, Map.of()).section("sample", DEFAULTS).size())
                .isEqualTo(2);
        assertThat(Settings.defaultsOnly().section("sample", DEFAULTS)).isEqualTo(DEFAULTS);
    }

    record Inner(String model, int retries) {}

    record Outer(String name, Inner llm) {}

    @Test
    void aNestedRecordIsAMappingInTheFileAndAPathInTheEnvironment() throws IOException {
        Outer defaults = new Outer("default", new Inner("none", 1));
        Path f = file("outer:\n  llm:\n    model: from-file\n");
        assertThat(Settings.load(f, Map.of()).section("outer", defaults))
                .as("a file naming one nested key keeps the others' defaults")
                .isEqualTo(new Outer("default", new Inner("from-file", 1)));
        assertThat(Settings.load(f, Map.of("SAESTREAM_OUTER_LLM_RETRIES", "3")).section("outer", defaults))
                .isEqualTo(new Outer("default", new Inner("from-file", 3)));
        Path typo = file("outer:\n  llm:\n    modle: x\n");
        assertThatThrownBy(() -> Settings.load(typo, Map.of()).section("outer", defaults))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outer.llm.modle")
                .hasMessageContaining("model, retries");
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertThat(Settings.envName("kafka", "bootstrapServers")).isEqualTo("SAESTREAM_KAFKA_BOOTSTRAP_SERVERS");
        assertThat(Settings.envName("produce", "maxBytes")).isEqualTo("SAESTREAM_PRODUCE_MAX_BYTES");
        assertThat(Settings.envName("label", "llm.baseUrl")).isEqualTo("SAESTREAM_LABEL_LLM_BASE_URL");
    }

    record Keyed(String name, String keyEnv) {}

    @Test
    void anUnknownVariableInASectionsNamespaceIsAnErrorNamingTheLikelyOne() {
        Outer defaults = new Outer("default", new Inner("none", 1));
        // a variable from before the key moved under llm: an error that names where it went
        assertThatThrownBy(() -> Settings.load(null, Map.of("SAESTREAM_OUTER_MODEL", "x"))
                        .section("outer", defaults))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable SAESTREAM_OUTER_MODEL")
                .hasMessageContaining("(did you mean SAESTREAM_OUTER_LLM_MODEL?)")
                .hasMessageContaining(
                        "known: SAESTREAM_OUTER_LLM_MODEL, SAESTREAM_OUTER_LLM_RETRIES, SAESTREAM_OUTER_NAME")
                .hasMessageNotContaining("=x");
        // a camelCase key run together: SAESTREAM_OUTER_LLMRETRIES for SAESTREAM_OUTER_LLM_RETRIES
        assertThatThrownBy(() -> Settings.load(null, Map.of("SAESTREAM_OUTER_LLMRETRIES", "3"))
                        .section("outer", defaults))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("(did you mean SAESTREAM_OUTER_LLM_RETRIES?)");
        // another section's variables, and those outside any section's namespace, are not this section's business
        assertThat(Settings.load(null, Map.of("SAESTREAM_OTHER_MODEL", "x", "SAESTREAM_LOG_LEVEL", "DEBUG"))
                        .section("outer", defaults))
                .isEqualTo(defaults);
        // a variable the section names as a value (where a key is read from) is the user's own
        Keyed keyed = new Keyed("n", "SAESTREAM_KEYED_SECRET");
        assertThat(Settings.load(null, Map.of("SAESTREAM_KEYED_SECRET", "s3cret"))
                        .section("keyed", keyed))
                .isEqualTo(keyed);
    }

    @Test
    void unknownKeyInFileIsAnErrorNamingTheKnownOnes() throws IOException {
        Path f = file("sample:\n  nmae: typo\n");
        assertThatThrownBy(() -> Settings.load(f, Map.of()).section("sample", DEFAULTS))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sample.nmae")
                .hasMessageContaining("name, size, on, tags");
    }

    @Test
    void badValuesAndMissingFilesAreClearErrors() throws IOException {
        Path f = file("sample:\n  size: lots\n");
        assertThatThrownBy(() -> Settings.load(f, Map.of()).section("sample", DEFAULTS))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid 'sample' configuration");
        assertThatThrownBy(() -> Settings.load(dir.resolve("absent.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Settings.load(null, Map.of("SAESTREAM_SAMPLE_SIZE", "many"))
                        .section("sample", DEFAULTS))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void theShippedConfigFilesParse() {
        Path repo = Path.of("").toAbsolutePath();
        for (String name : List.of("saestream.yaml", "docker.yaml")) {
            Settings s = Settings.load(repo.resolve("config").resolve(name), Map.of());
            assertThat(s.file()).isNotNull();
        }
    }
}
