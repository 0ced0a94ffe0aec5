package dev.saestream.export;

import dev.saestream.sae.Sae;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a {@link CatalogueSnapshot} in one {@link ExportFormat}: checks the output and the SAE, then hands over. */
public final class Exporter {
    private static final Logger log = LoggerFactory.getLogger(Exporter.class);

    private final ExportConfig config;

    public Exporter(ExportConfig config) {
        this.config = config;
    }

    /**
     * Where the SAE's weights come from.
     *
     * @param dir        a SAELens directory
     * @param explicit   the user named it: a missing or different SAE is then an error, not a note
     * @param idOverride the id to give the loaded SAE (the encode stage's {@code encode.saeId}), or null
     */
    public record SaeSource(Path dir, boolean explicit, String idOverride) {}

    /** Refuses to write into a non-empty {@code out} unless {@code force}; call before the slow part. */
    public static void checkOut(Path out, boolean force) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
        }
        if (!force && Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            "--out " + out + " is not empty; choose an empty or new directory,"
                                    + " or pass --force to write into it (replacing what this export writes)");
                }
            }
        }
    }

    /**
     * Writes {@code snapshot} to {@code out}. With {@code force}, what this format writes is
     * removed first (so no batch of an earlier, larger export survives); nothing else is touched.
     *
     * @param gzip     JSON Lines only: write {@code features.jsonl.gz}
     * @param progress told the number of features done, after each
     */
    public ExportSummary export(
            CatalogueSnapshot snapshot,
            ExportFormat format,
            Path out,
            boolean force,
            boolean gzip,
            SaeSource saeSource,
            LongConsumer progress)
            throws IOException {
        checkOut(out, force);
        List<String> notes = new ArrayList<>();
        if (snapshot.unreadableLabels() > 0) {
            notes.add(
                    snapshot.unreadableLabels() + " unreadable label(s) on " + config.labelsTopic() + " were skipped");
        }
        Sae sae = format == ExportFormat.JSONL ? null : loadSae(snapshot, format, saeSource, notes);
        NeuronpediaIds ids = NeuronpediaIds.of(snapshot.saeId(), config.modelId(), config.sourceSet());
        if (force) {
            switch (format) {
                case NEURONPEDIA -> {
                    deleteTree(NeuronpediaExport.sourceDir(out, ids));
                    deleteTree(NeuronpediaExport.configDir(out));
                }
                case SAELENS -> {
                    for (String f : List.of(Sae.CFG_FILE, Sae.WEIGHTS_FILE, Sae.SPARSITY_FILE)) {
                        Files.deleteIfExists(out.resolve(f));
                    }
                }
                case JSONL -> {
                    Files.deleteIfExists(JsonlExport.file(out, false));
                    Files.deleteIfExists(JsonlExport.file(out, true));
                }
            }
        }
        log.info("exporting {} features of {} as {} to {}", snapshot.size(), snapshot.saeId(), format, out);
        return switch (format) {
            case NEURONPEDIA ->
                new NeuronpediaExport(config, ids, Instant.now()).write(snapshot, sae, out, progress, notes);
            case SAELENS -> SaeLensExport.write(snapshot, sae, saeSource.dir(), out, progress, notes);
            case JSONL -> JsonlExport.write(snapshot, out, gzip, progress, notes);
        };
    }

    /**
     * The SAE for SAELens's files and Neuronpedia's decoder cosines. SAELens needs it; for
     * Neuronpedia a default directory that is missing or holds another SAE only leaves the cosines
     * empty, with a note.
     */
    private static Sae loadSae(CatalogueSnapshot snapshot, ExportFormat format, SaeSource source, List<String> notes)
            throws IOException {
        boolean required = format == ExportFormat.SAELENS || source.explicit();
        if (!Files.isRegularFile(source.dir().resolve(Sae.CFG_FILE))) {
            String problem = "no SAE directory (cfg.json, sae_weights.safetensors) at " + source.dir();
            if (required) {
                throw new IllegalArgumentException(
                        problem + "; pass --sae-dir with the SAE that made " + snapshot.saeId());
            }
            notes.add(problem + ": topkCosSimIndices/Values are left empty (pass --sae-dir to fill them)");
            return null;
        }
        Sae sae = Sae.load(source.dir());
        if (source.idOverride() != null && !source.idOverride().isBlank()) {
            sae = sae.withId(source.idOverride());
        }
        if (!sae.id().equals(snapshot.saeId())) {
            String problem = "the SAE in " + source.dir() + " is '" + sae.id() + "', not '" + snapshot.saeId() + "'";
            if (required) {
                throw new IllegalArgumentException(problem + "; pass --sae-dir with the SAE that made this catalogue");
            }
            notes.add(problem + ": topkCosSimIndices/Values are left empty (pass --sae-dir to fill them)");
            return null;
        }
        int last = snapshot.indices().last();
        if (last >= sae.config().dSae()) {
            throw new IllegalArgumentException("the catalogue has feature " + last + " but the SAE in " + source.dir()
                    + " has only " + sae.config().dSae() + " (d_sae)");
        }
        return sae;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
