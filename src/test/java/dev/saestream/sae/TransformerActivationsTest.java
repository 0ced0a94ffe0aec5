package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.corpus.Document;
import dev.saestream.corpus.Europarl;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The stream of activations against {@link Transformer#extract} on the same documents. */
class TransformerActivationsTest {
    @Test
    void rowsAreEveryDocumentsTokensInDocumentOrder() throws IOException {
        // given six Europarl documents, run two at a time
        List<Document> docs;
        try (Stream<Document> d = Europarl.documents(6)) {
            docs = d.toList();
        }
        ModelConfig config = new ModelConfig(
                "all-minilm-l6-v2", null, "layer3", 0, 32, 8, 2, false, TransformerSpliceTest.CACHE.toString(), "cpu");
        try (Transformer transformer = Transformer.open(config)) {
            List<TokenActivations> expected =
                    transformer.extract(docs.stream().map(Document::text).toList());
            int rows = expected.stream().mapToInt(TokenActivations::size).sum();
            float[] got = new float[rows * transformer.width()];

            // when read in pieces of 100 rows or fewer
            int read = 0;
            try (TransformerActivations stream = new TransformerActivations(transformer, docs.iterator(), 2)) {
                float[] piece = new float[100 * transformer.width()];
                for (int n; (n = stream.read(piece, 100)) > 0; read += n) {
                    System.arraycopy(piece, 0, got, read * transformer.width(), n * transformer.width());
                }
                assertThat(stream.documents()).isEqualTo(6);
                assertThat(stream.tokens()).isEqualTo(rows);
            }

            // then
            assertThat(read).isEqualTo(rows);
            int at = 0;
            for (TokenActivations t : expected) {
                for (int i = 0; i < t.activations().length; i++) {
                    assertThat(got[at + i]).isEqualTo(t.activations()[i]);
                }
                at += t.activations().length;
            }
        }
    }
}
