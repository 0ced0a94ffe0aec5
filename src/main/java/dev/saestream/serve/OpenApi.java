package dev.saestream.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code /api/openapi.json}: the hand-written OpenAPI 3 document in the jar, checked against the routes by a test. */
final class OpenApi {
    static final String RESOURCE = "/dev/saestream/serve/openapi.json";
    private static volatile byte[] document;

    private OpenApi() {}

    static byte[] document() {
        byte[] d = document;
        if (d == null) {
            try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks " + RESOURCE);
                }
                d = in.readAllBytes();
                document = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return d;
    }
}
