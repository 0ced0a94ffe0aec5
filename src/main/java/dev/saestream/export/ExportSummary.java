package dev.saestream.export;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What an export wrote.
 *
 * @param saeId        the SAE exported
 * @param format       the format
 * @param out          the output directory
 * @param features     feature rows (lines, or features with a sparsity value for SAELens)
 * @param activations  activation rows (Neuronpedia: top windows and quantile groups)
 * @param explanations explanations (Neuronpedia) or labels (JSON Lines) written
 * @param scores       score rows (Neuronpedia's extra explanation_scores)
 * @param files        files written
 * @param bytes        bytes written
 * @param millis       wall-clock time of the writing
 * @param notes        what was left out and why
 */
public record ExportSummary(
        String saeId,
        ExportFormat format,
        Path out,
        long features,
        long activations,
        long explanations,
        long scores,
        int files,
        long bytes,
        long millis,
        List<String> notes) {
    public ExportSummary {
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** The one-line summary the command prints, then a line per note. */
    public String describe() {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "exported %s as %s to %s: %,d features, %,d activations, %,d explanations, %,d scores;"
                        + " %,d files, %.1f MB in %.1f s",
                saeId,
                format.name().toLowerCase(Locale.ROOT),
                out,
                features,
                activations,
                explanations,
                scores,
                files,
                bytes / 1e6,
                millis / 1e3));
        notes.forEach(n -> sb.append("\nnote: ").append(n));
        return sb.toString();
    }
}
