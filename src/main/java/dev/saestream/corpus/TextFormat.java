package dev.saestream.corpus;

import java.nio.file.Path;
import java.util.Locale;

/** How an input file is read. */
public enum TextFormat {
    /** Plain UTF-8 text: the whole file is one document, or each line with {@code perLine}. */
    TEXT,
    /** JSON Lines: one JSON object per line with {@code id}, {@code text}, optional {@code source}, {@code ts}, {@code meta}. */
    JSONL,
    /** Decide by file extension: {@code .jsonl}/{@code .ndjson} are JSON Lines, the rest text. */
    AUTO;

    public TextFormat resolve(Path file) {
        if (this != AUTO) {
            return this;
        }
        String name = file == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson") ? JSONL : TEXT;
    }
}
