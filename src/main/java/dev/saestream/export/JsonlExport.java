package dev.saestream.export;

import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.label.Label;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.GZIPOutputStream;

/**
 * {@code features.jsonl} (or {@code features.jsonl.gz}): one line per feature, in index order,
 * {@code {"saeId", "index", "feature": <feature state>, "label": <label>}}, the feature state and the
 * label exactly as on {@code saestream.features} and {@code saestream.labels} (their schemas are in
 * {@code topics/schemas/}); {@code label} is left out for a feature with none.
 */
final class JsonlExport {
    static final String FILE = "features.jsonl";

    private JsonlExport() {}

    static Path file(Path out, boolean gzip) {
        return out.resolve(gzip ? FILE + ".gz" : FILE);
    }

    static ExportSummary write(
            CatalogueSnapshot snapshot, Path out, boolean gzip, LongConsumer progress, List<String> notes)
            throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(out);
        Path file = file(out, gzip);
        long labels = 0;
        long done = 0;
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                OutputStream os = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            for (int index : snapshot.indices()) {
                FeatureState state = snapshot.feature(index);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("saeId", state.saeId());
                line.put("index", state.index());
                line.put("feature", state);
                Label label = snapshot.label(index).orElse(null);
                if (label != null) {
                    line.put("label", label);
                    labels++;
                }
                os.write(Json.write(line));
                os.write('\n');
                progress.accept(++done);
            }
        }
        return new ExportSummary(
                snapshot.saeId(),
                ExportFormat.JSONL,
                out,
                done,
                0,
                labels,
                0,
                1,
                Files.size(file),
                (System.nanoTime() - started) / 1_000_000,
                notes);
    }
}
