package dev.saestream.encode;

import dev.saestream.corpus.Document;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * {@code saestream.codes} records kept in a file, so that a benchmark of the catalog alone can feed
 * the same codes again without running the transformer. The file is a header and then, per
 * record, its key, its token count and its value exactly as the encode stage writes it.
 */
public final class CodesFile {
    private static final int MAGIC = 0x53434631; // "SCF1"

    private CodesFile() {}

    /** One codes record: the document id it is keyed by, its tokens, and its value in the codes format. */
    public record Entry(String key, int tokens, byte[] value) {}

    /**
     * Encodes {@code docs} as the encode stage does (the facet field carried, {@code config.precision()}
     * values), one record per document of the encoder's first SAE; {@code done} hears each document's tokens.
     */
    public static List<Entry> encode(
            SaeDocumentEncoder encoder, EncodeConfig config, Iterator<Document> docs, IntConsumer done)
            throws EncodeException {
        List<Entry> entries = new ArrayList<>();
        while (docs.hasNext()) {
            Document doc = docs.next();
            DocumentCodes codes = encoder.encode(doc.id(), doc.text());
            String facet = EncodeTopology.EncodeProcessor.facetValue(doc, config.facet());
            DocumentCodes carried = config.facet().isEmpty() ? codes : codes.withFacet(config.facet(), facet);
            entries.add(new Entry(doc.id(), codes.size(), CodesFormat.write(carried, config.precision())));
            done.accept(codes.size());
        }
        return entries;
    }

    /** Writes {@code entries} to {@code file} through a temporary file, so that a killed run leaves no half cache. */
    public static void write(Path file, List<Entry> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                out.writeUTF(e.key());
                out.writeInt(e.tokens());
                out.writeInt(e.value().length);
                out.write(e.value());
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static List<Entry> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a codes file");
            }
            int n = in.readInt();
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                int tokens = in.readInt();
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                entries.add(new Entry(key, tokens, value));
            }
            return entries;
        } catch (EOFException e) {
            throw new IOException(file + " is cut short; delete it to encode again", e);
        }
    }
}
