package dev.saestream.catalog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A window's tokens as a JSON array of strings, each escaped once per distinct piece rather than
 * once per emission: emitted states repeat the same few thousand pieces ({@code " the"},
 * {@code ","}) millions of times, and escaping them was a fifth of the catalog thread's time.
 */
final class TokensSerializer extends StdSerializer<String[]> {
    /** Distinct pieces kept escaped; past this the cache starts over (pieces are a vocabulary, rarely this many). */
    private static final int MAX_CACHED = 200_000;
    private static final Map<String, byte[]> ESCAPED = new ConcurrentHashMap<>();

    TokensSerializer() {
        super(String[].class);
    }

    @Override
    public void serialize(String[] tokens, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeStartArray(tokens, tokens.length);
        for (String t : tokens) {
            if (t == null) {
                gen.writeNull();
                continue;
            }
            byte[] utf8 = ESCAPED.get(t);
            if (utf8 == null) {
                if (ESCAPED.size() >= MAX_CACHED) {
                    ESCAPED.clear();
                }
                utf8 = JsonStringEncoder.getInstance().quoteAsUTF8(t);
                ESCAPED.put(t, utf8);
            }
            gen.writeRawUTF8String(utf8, 0, utf8.length);
        }
        gen.writeEndArray();
    }
}
