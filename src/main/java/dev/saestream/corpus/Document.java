package dev.saestream.corpus;

import java.util.Map;

/**
 * One text to catalogue, as written to {@code saestream.texts}.
 *
 * @param id     the document id (the record key); null until one is given or derived
 * @param text   the text itself
 * @param source where it came from (a corpus name or file), optional
 * @param ts     epoch millis, optional
 * @param meta   free-form metadata (title, date, …; JSON values), optional
 */
public record Document(String id, String text, String source, Long ts, Map<String, Object> meta) {
    public Document {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        meta = meta == null || meta.isEmpty()
                ? null
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(meta));
    }

    public Document withId(String newId) {
        return new Document(newId, text, source, ts, meta);
    }
}
