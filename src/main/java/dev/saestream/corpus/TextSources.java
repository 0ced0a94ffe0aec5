package dev.saestream.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads documents from the bundled corpus, files, directories (recursively, in name order),
 * JSON Lines and standard input. Every input becomes exactly one {@link SourceItem}: a document,
 * or a refusal saying why and where, so a caller can account for all of it.
 */
public final class TextSources {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int ORIGINAL_KEEP = 4096;

    private TextSources() {}

    /** The bundled Europarl corpus, first {@code limit} documents (all when &lt;= 0). */
    public static Stream<SourceItem> europarl(long limit, SourceOptions options) {
        return Europarl.documents(limit)
                .map(d -> checkText(d, Europarl.NAME + ":" + d.id().substring(Europarl.NAME.length() + 1), options));
    }

    /**
     * The bundled Europarl corpus with each document's language in {@code meta.lang}, the documents
     * in other languages than {@code filter} keeps as {@link SourceItem.OtherLanguage}. With a
     * filter, {@code limit} counts the documents kept: {@code --docs 300} is 300 English documents.
     */
    public static Stream<SourceItem> europarl(
            long limit, SourceOptions options, Languages languages, LanguageFilter filter) {
        if (filter.all()) {
            return europarl(limit, options).map(languages::tag);
        }
        Stream<SourceItem> items = europarl(0, options).map(languages::tag).map(filter::apply);
        return limit > 0 ? untilKept(items, limit) : items;
    }

    /** Everything up to and including the {@code limit}-th document read, so the left-out ones before it are counted too. */
    static Stream<SourceItem> untilKept(Stream<SourceItem> items, long limit) {
        long[] kept = {0};
        return items.takeWhile(item -> {
            if (kept[0] >= limit) {
                return false;
            }
            if (item instanceof SourceItem.Read) {
                kept[0]++;
            }
            return true;
        });
    }

    /** Every regular file under {@code paths} (directories recursively, sorted), each read per {@code options}. */
    public static Stream<SourceItem> paths(List<Path> paths, SourceOptions options) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list directory " + p + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("input " + p + " is neither a file nor a directory");
            }
        }
        return files.stream().flatMap(f -> file(f, options));
    }

    /** One file: a single document, one per line, or JSON Lines. */
    public static Stream<SourceItem> file(Path file, SourceOptions options) {
        TextFormat format = options.format().resolve(file);
        if (format == TextFormat.TEXT && !options.perLine()) {
            return Stream.of(wholeFile(file, options));
        }
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            return Stream.of(new SourceItem.Refused(
                    Refusals.UNREADABLE,
                    "cannot open " + file + ": " + e.getMessage(),
                    file.toString(),
                    new byte[0],
                    0));
        }
        return lines(in, file.toString(), format, options);
    }

    /** Standard input (or any stream): one document, one per line, or JSON Lines. */
    public static Stream<SourceItem> stream(InputStream in, String name, SourceOptions options) {
        TextFormat format = options.format() == TextFormat.AUTO ? TextFormat.TEXT : options.format();
        if (format == TextFormat.TEXT && !options.perLine()) {
            try {
                byte[] head = in.readNBytes(options.maxBytes() + 1);
                long size = head.length;
                if (head.length > options.maxBytes()) {
                    size += in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                return Stream.of(fromBytes(head, size, name, name, options));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
            }
        }
        return lines(in, name, format, options);
    }

    private static SourceItem wholeFile(Path file, SourceOptions options) {
        try {
            long size = Files.size(file);
            if (size > options.maxBytes()) {
                byte[] head;
                try (InputStream in = Files.newInputStream(file)) {
                    head = in.readNBytes(ORIGINAL_KEEP);
                }
                return tooLarge(head, size, file.toString(), options);
            }
            byte[] bytes = Files.readAllBytes(file);
            return fromBytes(bytes, bytes.length, file.toString(), file.toString(), options);
        } catch (IOException e) {
            return new SourceItem.Refused(
                    Refusals.UNREADABLE,
                    "cannot read " + file + ": " + e.getMessage(),
                    file.toString(),
                    new byte[0],
                    0);
        }
    }

    private static Stream<SourceItem> lines(InputStream in, String name, TextFormat format, SourceOptions options) {
        int limit = format == TextFormat.JSONL ? options.jsonLineLimit() : options.maxBytes();
        ByteLineReader reader = new ByteLineReader(in, limit);
        Iterator<SourceItem> it = new Iterator<>() {
            private ByteLineReader.Line next = advance();

            private ByteLineReader.Line advance() {
                try {
                    return reader.next();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public SourceItem next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                ByteLineReader.Line line = next;
                next = advance();
                String location = name + ":" + line.number();
                if (line.overLimit()) {
                    return tooLarge(line.bytes(), line.length(), location, options);
                }
                return format == TextFormat.JSONL
                        ? jsonLine(line.bytes(), location, options)
                        : fromBytes(line.bytes(), line.length(), location, name, options);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                .onClose(() -> {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // nothing more will be read
                    }
                });
    }

    private static SourceItem fromBytes(
            byte[] bytes, long size, String location, String source, SourceOptions options) {
        if (size > options.maxBytes()) {
            return tooLarge(bytes, size, location, options);
        }
        String text = Utf8.decodeOrNull(bytes, 0, bytes.length);
        if (text == null) {
            int at = Utf8.firstInvalidByte(bytes, 0, bytes.length);
            return new SourceItem.Refused(Refusals.INVALID_UTF8, "invalid UTF-8 at byte " + at, location, bytes, size);
        }
        return checkText(new Document(null, text, source, null, null), location, options);
    }

    private static SourceItem jsonLine(byte[] bytes, String location, SourceOptions options) {
        String line = Utf8.decodeOrNull(bytes, 0, bytes.length);
        if (line == null) {
            int at = Utf8.firstInvalidByte(bytes, 0, bytes.length);
            return new SourceItem.Refused(
                    Refusals.INVALID_UTF8, "invalid UTF-8 at byte " + at, location, bytes, bytes.length);
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return refused(Refusals.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), location, bytes);
        }
        if (node == null || !node.isObject()) {
            return refused(
                    Refusals.MALFORMED_JSON,
                    "a JSON line must be an object, got "
                            + (node == null
                                    ? "nothing"
                                    : node.getNodeType().toString().toLowerCase()),
                    location,
                    bytes);
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) {
            return refused(Refusals.MISSING_TEXT, "the object has no \"text\" field", location, bytes);
        }
        if (!text.isTextual()) {
            return refused(
                    Refusals.TEXT_NOT_STRING,
                    "\"text\" is a " + text.getNodeType().toString().toLowerCase() + ", not a string",
                    location,
                    bytes);
        }
        JsonNode id = node.get("id");
        String docId = null;
        if (id != null && !id.isNull()) {
            if (!(id.isTextual() || id.isIntegralNumber())) {
                return refused(Refusals.BAD_FIELD, "\"id\" must be a string or an integer", location, bytes);
            }
            docId = id.asText();
            if (docId.isEmpty()) {
                return refused(Refusals.BAD_FIELD, "\"id\" must not be empty", location, bytes);
            }
        }
        JsonNode src = node.get("source");
        if (src != null && !src.isNull() && !src.isTextual()) {
            return refused(Refusals.BAD_FIELD, "\"source\" must be a string", location, bytes);
        }
        JsonNode ts = node.get("ts");
        if (ts != null && !ts.isNull() && !ts.isIntegralNumber()) {
            return refused(Refusals.BAD_FIELD, "\"ts\" must be epoch milliseconds (an integer)", location, bytes);
        }
        JsonNode meta = node.get("meta");
        Map<String, Object> metaMap = null;
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                return refused(Refusals.BAD_FIELD, "\"meta\" must be an object", location, bytes);
            }
            metaMap = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> f = meta.fields(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> e = f.next();
                metaMap.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        }
        if (text.asText().getBytes(StandardCharsets.UTF_8).length > options.maxBytes()) {
            return tooLarge(bytes, bytes.length, location, options);
        }
        Document doc = new Document(
                docId,
                text.asText(),
                src == null || src.isNull() ? location.substring(0, location.lastIndexOf(':')) : src.asText(),
                ts == null || ts.isNull() ? null : ts.asLong(),
                metaMap);
        return checkText(doc, location, options);
    }

    /** Refuses empty and whitespace-only texts; passes the rest. */
    static SourceItem checkText(Document doc, String location, SourceOptions options) {
        if (doc.text().isBlank()) {
            return refused(
                    Refusals.EMPTY_TEXT,
                    doc.text().isEmpty() ? "the text is empty" : "the text is only whitespace",
                    location,
                    doc.text().getBytes(StandardCharsets.UTF_8));
        }
        return new SourceItem.Read(doc, location);
    }

    private static SourceItem tooLarge(byte[] head, long size, String location, SourceOptions options) {
        return new SourceItem.Refused(
                Refusals.TOO_LARGE,
                "the text is " + size + " bytes, over the limit of " + options.maxBytes() + " bytes",
                location,
                java.util.Arrays.copyOf(head, Math.min(head.length, ORIGINAL_KEEP)),
                size);
    }

    private static SourceItem refused(String reason, String detail, String location, byte[] bytes) {
        return new SourceItem.Refused(reason, detail, location, bytes, bytes.length);
    }
}
