package dev.saestream.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.saestream.sae.SparseCode;
import java.util.Arrays;

/**
 * A random window of a document with every token's sparse code: the source of non-activating
 * examples (where a given feature is zero) and of background token frequencies.
 *
 * @param saeId  the SAE whose codes these are
 * @param doc    document id
 * @param first  token index of {@code tokens[0]} in the document
 * @param tokens display pieces (see {@link FeatureWindow})
 * @param codes  each token's active features
 * @param facet  the document's value of the catalogue's facet field ({@code catalog.facet}), or null: the
 *               sample's shares of the values are the baseline a feature's facet counts are read against
 */
public record BackgroundWindow(
        String saeId,
        String doc,
        int first,
        String[] tokens,
        SparseCode[] codes,
        @JsonInclude(JsonInclude.Include.NON_NULL) String facet) {
    public BackgroundWindow {
        if (tokens == null || codes == null || tokens.length != codes.length) {
            throw new IllegalArgumentException("tokens and codes must be non-null and of equal length");
        }
    }

    /** The window's key on {@code saestream.background}: {@code saeId/doc#first}, unique across SAEs sharing the topic. */
    public String id() {
        return saeId + "/" + doc + "#" + first;
    }

    /** The same window carrying the document's facet value. */
    public BackgroundWindow withFacet(String value) {
        return new BackgroundWindow(saeId, doc, first, tokens, codes, value);
    }

    /** This window's activations of one feature, token by token. */
    public float[] activationsOf(int feature) {
        float[] a = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            a[i] = codes[i].valueOf(feature);
        }
        return a;
    }

    /** True when {@code feature} is active on any token of the window. */
    public boolean fires(int feature) {
        for (SparseCode c : codes) {
            if (c.valueOf(feature) != 0f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackgroundWindow w
                && saeId.equals(w.saeId)
                && doc.equals(w.doc)
                && first == w.first
                && Arrays.equals(tokens, w.tokens)
                && Arrays.equals(codes, w.codes)
                && java.util.Objects.equals(facet, w.facet);
    }

    @Override
    public int hashCode() {
        return 31 * doc.hashCode() + first;
    }
}
