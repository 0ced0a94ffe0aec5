package dev.saestream.catalog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * A window's activations as a JSON array with zeros written as {@code 0}: a feature is zero on
 * most tokens of its windows, and {@code 0.0} through the float writer costs both bytes and time
 * in every emitted state. Readers parse either form to the same float.
 */
final class ActivationsSerializer extends StdSerializer<float[]> {
    ActivationsSerializer() {
        super(float[].class);
    }

    @Override
    public void serialize(float[] acts, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeStartArray(acts, acts.length);
        for (float a : acts) {
            if (Float.floatToRawIntBits(a) == 0) { // +0 only: -0 keeps its sign
                gen.writeNumber(0);
            } else {
                gen.writeNumber(a);
            }
        }
        gen.writeEndArray();
    }
}
