package dev.saestream.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Reads the topic specs in {@code topics/*.yaml}, one topic per file. */
public final class TopicSpecs {
    /** Default spec directory, relative to the saestream home. */
    public static final Path DEFAULT_DIR = Path.of("topics");

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private TopicSpecs() {}

    /** Where the jar carries the specs of {@code topics/}. */
    static final String BUNDLED = "saestream/topics";

    /**
     * The specs the jar carries (a copy of the project's {@code topics/}), for a saestream started
     * outside its project directory.
     */
    public static List<TopicSpec> loadBundled() throws IOException {
        URL url = TopicSpecs.class.getClassLoader().getResource(BUNDLED);
        if (url == null) {
            throw new IOException("this build carries no topic specs (" + BUNDLED + "); give --topics-dir");
        }
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return load(Path.of(uri));
            }
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return load(jar.getPath(BUNDLED));
            } catch (java.nio.file.FileSystemAlreadyExistsException open) {
                return load(FileSystems.getFileSystem(uri).getPath(BUNDLED));
            }
        } catch (URISyntaxException e) {
            throw new IOException("cannot read the bundled topic specs at " + url, e);
        }
    }

    /** All specs in {@code dir}, sorted by file name; each file is checked and its schema must exist. */
    public static List<TopicSpec> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("topic spec directory " + dir.toAbsolutePath() + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no topic specs (*.yaml) in " + dir.toAbsolutePath());
        }
        List<TopicSpec> specs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path f : files) {
            TopicSpec spec = read(f);
            if (spec.valueSchema() != null && !Files.isRegularFile(dir.resolve(spec.valueSchema()))) {
                throw new IOException(f + ": value schema " + spec.valueSchema() + " does not exist in " + dir);
            }
            if (!names.add(spec.name())) {
                throw new IOException(f + ": topic " + spec.name() + " is declared twice in " + dir);
            }
            specs.add(spec);
        }
        return List.copyOf(specs);
    }

    public static TopicSpec read(Path file) throws IOException {
        try {
            TopicSpec spec;
            try (var in = Files.newInputStream(file)) {
                spec = YAML.readValue(in, TopicSpec.class);
            }
            if (spec == null) {
                throw new IOException(file + " is empty");
            }
            return spec;
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IOException(file + ": " + e.getCause().getMessage(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not a valid topic spec: " + e.getOriginalMessage(), e);
        }
    }

    public static Optional<TopicSpec> byName(List<TopicSpec> specs, String name) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
