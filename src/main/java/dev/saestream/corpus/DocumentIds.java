package dev.saestream.corpus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;

/**
 * Gives every document its key: the id it came with, else a stable hash of its text, so that
 * producing the same input twice gives the same keys. Within one input an id may appear once; a
 * repeat is refused (a second, different document under the same key would overwrite the first
 * downstream).
 */
public final class DocumentIds implements Function<SourceItem, SourceItem> {
    /** Ids kept to detect repeats; 16 bytes of SHA-256 make accidental collisions negligible. */
    private final Set<String> seen = new HashSet<>();

    /** {@code sha256:} and the first 16 bytes of the SHA-256 of the UTF-8 text, in hex. */
    public static String contentHash(String text) {
        return "sha256:" + HexFormat.of().formatHex(sha256(text), 0, 16);
    }

    /**
     * The first 64 bits of the SHA-256 of the UTF-8 string, big-endian: a hash that is the same in
     * every JVM and run, for telling texts apart and for splits by id.
     */
    public static long hash64(String s) {
        return ByteBuffer.wrap(sha256(s)).getLong();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public SourceItem apply(SourceItem item) {
        if (!(item instanceof SourceItem.Read read)) {
            return item;
        }
        Document doc = read.document();
        boolean given = doc.id() != null;
        Document keyed = given ? doc : doc.withId(contentHash(doc.text()));
        if (!seen.add(keyed.id())) {
            byte[] original = doc.text().getBytes(StandardCharsets.UTF_8);
            return new SourceItem.Refused(
                    Refusals.DUPLICATE_ID,
                    given
                            ? "the id '" + keyed.id() + "' was already used earlier in this input"
                            : "the same text (id " + keyed.id() + ") was already read earlier in this input",
                    read.location(),
                    original,
                    original.length);
        }
        return new SourceItem.Read(keyed, read.location());
    }
}
