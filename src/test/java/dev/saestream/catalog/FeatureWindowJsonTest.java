package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.formats.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A window's compact JSON (zeros as 0) reads back as the same window. */
class FeatureWindowJsonTest {
    @Test
    void tokensWithEveryKindOfCharacterAndZeroActivationsRoundTrip() {
        String[] tokens = {
            " the",
            "\"quoted\"",
            "back\\slash",
            "new\nline",
            "\u0000nul",
            "tab\t",
            " émigré",
            " 日本",
            " 🙂",
            "</script>",
            " the"
        };
        float[] acts = {0f, 1.5f, -0f, 0f, 3.25e-5f, 0f, 7f, 0f, 0.1f, 0f, 0f};
        FeatureWindow w = new FeatureWindow("doc/1", 11, 5, tokens, acts);
        byte[] json = Json.write(w);
        FeatureWindow back = Json.read(json, FeatureWindow.class);
        assertThat(back).isEqualTo(w);
        assertThat(Float.floatToRawIntBits(back.acts()[2]))
                .as("-0 keeps its sign")
                .isEqualTo(Float.floatToRawIntBits(-0f));
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"acts\":[0,1.5,-0.0,0,");
        // a piece met twice is written twice
        assertThat(Json.write(new FeatureWindow("doc/2", 1, 0, new String[] {" the", " the"}, new float[] {0f, 1f})))
                .asString(StandardCharsets.UTF_8)
                .contains("\"tokens\":[\" the\",\" the\"]");
    }
}
