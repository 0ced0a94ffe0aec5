package dev.saestream.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The configuration sources of one process: a YAML file (optional) and the environment. A stage
 * asks for its record with {@link #section}; the order of precedence is
 * defaults &lt; file &lt; environment &lt; flags, and a test pins it.
 */
public final class Settings {
    /** Default config file, under {@link Home}; absent is fine. */
    public static final String DEFAULT_FILE = "config/saestream.yaml";
    /** Where the jar carries a copy of the default config file. */
    static final String BUNDLED = "saestream/" + DEFAULT_FILE;

    public static final String ENV_PREFIX = "SAESTREAM_";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final Path file;
    private final JsonNode fileTree;
    private final Map<String, String> env;

    private Settings(Path file, JsonNode fileTree, Map<String, String> env) {
        this.file = file;
        this.fileTree = fileTree;
        this.env = Map.copyOf(env);
    }

    /** Settings from {@code file} (which must exist when given explicitly) and the process environment. */
    public static Settings load(Path file) {
        return load(file, System.getenv());
    }

    public static Settings load(Path file, Map<String, String> env) {
        Path chosen = file != null ? file : Home.resolve(DEFAULT_FILE);
        if (file != null && !Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist");
        }
        JsonNode tree = YAML.createObjectNode();
        if (file == null && !Files.isRegularFile(chosen)) {
            // started outside the project: the default config the jar carries
            try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(BUNDLED)) {
                if (in != null) {
                    JsonNode read = YAML.readTree(in);
                    if (read != null && read.isObject()) {
                        tree = read;
                    }
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read the bundled config " + BUNDLED + ": " + e.getMessage());
            }
        }
        if (Files.isRegularFile(chosen)) {
            try {
                JsonNode read = YAML.readTree(chosen.toFile());
                if (read != null && !read.isMissingNode() && !read.isNull()) {
                    if (!read.isObject()) {
                        throw new ConfigException("config file " + chosen + " must be a mapping of sections");
                    }
                    tree = read;
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + chosen + ": " + e.getMessage());
            }
        }
        return new Settings(Files.isRegularFile(chosen) ? chosen : null, tree, env);
    }

    /** Settings with no file and no environment: the code defaults and flags only. */
    public static Settings defaultsOnly() {
        return new Settings(null, YAML.createObjectNode(), Map.of());
    }

    /** The file these settings were read from, or null when none was. */
    public Path file() {
        return file;
    }

    /**
     * The stage's config record: {@code defaults}, overridden by the file's {@code section}, then by
     * environment variables {@code SAESTREAM_SECTION_FIELD_NAME}. A component that is a record is a
     * nested mapping in the file and a path in the variable's name ({@code SAESTREAM_LABEL_LLM_MODEL}).
     */
    public <T extends Record> T section(String section, T defaults) {
        return section(section, defaults, UnaryOperator.identity());
    }

    /**
     * The stage's config record as {@link #section(String, Record)} reads it, then {@code flags}
     * applied (typed {@code with…} calls, see {@link Flags}): the command line wins over everything.
     * A value the record refuses is a {@link ConfigException}, wherever it came from.
     */
    public <T extends Record> T section(String section, T defaults, UnaryOperator<T> flags) {
        Objects.requireNonNull(defaults, "defaults");
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) defaults.getClass();
        ObjectNode merged = YAML.valueToTree(defaults);
        JsonNode fromFile = fileTree.get(section);
        if (fromFile != null && !fromFile.isNull()) {
            mergeFile(section, merged, fromFile, type);
        }
        Set<String> known = new TreeSet<>();
        mergeEnvironment(section, "", merged, type, known);
        refuseUnknownEnvironment(section, known, merged);
        try {
            return flags.apply(YAML.treeToValue(merged, type));
        } catch (IOException e) {
            throw new ConfigException("invalid '" + section + "' configuration: " + rootMessage(e));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid '" + section + "' configuration: " + rootMessage(e));
        }
    }

    /**
     * Overrides {@code merged} with the file's mapping at {@code path}; a component that is itself a
     * record is a nested mapping ({@code label: llm: model: …}) merged key by key, so that a file
     * naming one nested key keeps the defaults of the others.
     */
    private void mergeFile(String path, ObjectNode merged, JsonNode fromFile, Class<?> type) {
        if (!fromFile.isObject()) {
            throw new ConfigException("section '" + path + "' in " + file + " must be a mapping");
        }
        Map<String, Class<?>> nested = nestedRecords(type);
        for (Iterator<Map.Entry<String, JsonNode>> it = fromFile.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!merged.has(e.getKey())) {
                throw new ConfigException("unknown key '" + path + "." + e.getKey() + "' in " + file + "; known keys: "
                        + knownKeys(merged));
            }
            Class<?> inner = nested.get(e.getKey());
            if (inner != null && !e.getValue().isNull()) {
                mergeFile(path + "." + e.getKey(), (ObjectNode) merged.get(e.getKey()), e.getValue(), inner);
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        }
    }

    /** Overrides {@code merged} with the environment: a nested record's fields by their path, SAESTREAM_LABEL_LLM_MODEL. */
    private void mergeEnvironment(String section, String prefix, ObjectNode merged, Class<?> type, Set<String> known) {
        Map<String, Class<?>> nested = nestedRecords(type);
        for (Iterator<String> it = merged.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            Class<?> inner = nested.get(field);
            if (inner != null) {
                mergeEnvironment(section, prefix + field + ".", (ObjectNode) merged.get(field), inner, known);
                continue;
            }
            String name = envName(section, prefix + field);
            known.add(name);
            String value = env.get(name);
            if (value != null) {
                merged.set(field, parseScalar(merged.get(field), value));
            }
        }
    }

    /**
     * A variable in the section's namespace that names none of its keys is an error, as an unknown key in
     * the file is: a misspelt or renamed variable (SAESTREAM_LABEL_BASE_URL for SAESTREAM_LABEL_LLM_BASE_URL)
     * would otherwise leave the default in place without a word. A variable the section names as a value
     * (the one {@code label.llm.apiKeyEnv} points at) is the user's own.
     */
    private void refuseUnknownEnvironment(String section, Set<String> known, JsonNode merged) {
        String namespace = ENV_PREFIX + snake(section) + "_";
        Set<String> named = new HashSet<>();
        collectText(merged, named);
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith(namespace) || known.contains(name) || named.contains(name)) {
                continue;
            }
            String rest = name.substring(namespace.length());
            List<String> like = known.stream()
                    .filter(k -> k.endsWith("_" + rest)
                            || rest.endsWith("_" + k.substring(namespace.length()))
                            || k.replace("_", "").equals(name.replace("_", "")))
                    .toList();
            throw new ConfigException("unknown environment variable " + name + ": the '" + section
                    + "' section has no such key"
                    + (like.isEmpty() ? "" : " (did you mean " + String.join(" or ", like) + "?)")
                    + "; known: " + String.join(", ", known));
        }
    }

    private static void collectText(JsonNode node, Set<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> collectText(child, out));
    }

    private static Map<String, Class<?>> nestedRecords(Class<?> type) {
        Map<String, Class<?>> nested = new HashMap<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getType().isRecord()) {
                    nested.put(c.getName(), c.getType());
                }
            }
        }
        return nested;
    }

    /**
     * The environment variable for a field: section {@code kafka}, field {@code bootstrapServers}
     * gives SAESTREAM_KAFKA_BOOTSTRAP_SERVERS; a nested field is named by its path, section
     * {@code label}, field {@code llm.baseUrl} gives SAESTREAM_LABEL_LLM_BASE_URL.
     */
    public static String envName(String section, String field) {
        return ENV_PREFIX + snake(section) + "_" + snake(field);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                .replace('-', '_')
                .replace('.', '_')
                .toUpperCase(Locale.ROOT);
    }

    private static JsonNode parseScalar(JsonNode current, String value) {
        try {
            if (current != null && (current.isContainerNode())) {
                return YAML.readTree(value);
            }
            if (current != null && (current.isNumber() || current.isBoolean())) {
                return YAML.readTree(value);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot parse environment value '" + value + "': " + e.getMessage());
        }
        return YAML.getNodeFactory().textNode(value);
    }

    private static String knownKeys(ObjectNode node) {
        StringBuilder sb = new StringBuilder();
        node.fieldNames()
                .forEachRemaining(n -> sb.append(sb.length() == 0 ? "" : ", ").append(n));
        return sb.toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        int nl = m == null ? -1 : m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : String.valueOf(m);
    }
}
