package dev.saestream.encode;

import dev.saestream.sae.SparseCode;
import java.util.Arrays;

/**
 * One document encoded by an SAE, as carried by {@code saestream.codes}: its tokens (special
 * tokens excluded), where each sits in the text, and each token's active features.
 *
 * <p>The text is stored as {@code pieces} (token {@code i}'s piece is the text from the end of
 * token {@code i-1} to the end of token {@code i}, so it includes the whitespace before it) plus
 * a {@code tail} after the last token: joining them gives the text back exactly, and {@code
 * gaps[i]} says where in its piece token {@code i} starts. Offsets are derived, never stored twice.
 *
 * @param saeId  the SAE that produced the codes (namespaces every feature)
 * @param docId  the document id (the record key)
 * @param tokens the tokens as the tokenizer spells them
 * @param pieces display pieces, see above
 * @param gaps   characters of each piece before its token starts
 * @param tail   text after the last token
 * @param codes  each token's active features, sorted by value descending
 * @param stats  reconstruction error of this document
 * @param facetField the document metadata field carried for the catalogue's facet counts ({@code encode.facet}),
 *                   or null
 * @param facetValue that field's value in the document's {@code meta}, or null when it has none
 */
public record DocumentCodes(
        String saeId,
        String docId,
        String[] tokens,
        String[] pieces,
        int[] gaps,
        String tail,
        SparseCode[] codes,
        ReconstructionStats stats,
        String facetField,
        String facetValue) {
    /** Codes without a facet. */
    public DocumentCodes(
            String saeId,
            String docId,
            String[] tokens,
            String[] pieces,
            int[] gaps,
            String tail,
            SparseCode[] codes,
            ReconstructionStats stats) {
        this(saeId, docId, tokens, pieces, gaps, tail, codes, stats, null, null);
    }

    public DocumentCodes {
        if (facetValue != null && facetField == null) {
            throw new IllegalArgumentException("facetValue '" + facetValue + "' needs its facetField");
        }
        if (saeId == null || saeId.isEmpty() || saeId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("saeId must be given and free of NUL characters, got '" + saeId + "'");
        }
        if (docId == null) {
            throw new IllegalArgumentException("docId must be given");
        }
        int n = tokens.length;
        if (pieces.length != n || gaps.length != n || codes.length != n) {
            throw new IllegalArgumentException("tokens (" + n + "), pieces (" + pieces.length + "), gaps ("
                    + gaps.length + ") and codes (" + codes.length + ") must have the same length");
        }
        for (int i = 0; i < n; i++) {
            if (gaps[i] < 0 || gaps[i] > pieces[i].length()) {
                throw new IllegalArgumentException(
                        "gap " + gaps[i] + " of token " + i + " is outside its piece of length " + pieces[i].length());
            }
        }
        tail = tail == null ? "" : tail;
        stats = stats == null ? ReconstructionStats.NONE : stats;
    }

    /**
     * Builds the record from a text and token offsets (UTF-16 indices, non-decreasing ends, as a
     * tokenizer gives them with special tokens removed).
     */
    public static DocumentCodes of(
            String saeId,
            String docId,
            String text,
            String[] tokens,
            int[] starts,
            int[] ends,
            SparseCode[] codes,
            ReconstructionStats stats) {
        int n = tokens.length;
        if (starts.length != n || ends.length != n) {
            throw new IllegalArgumentException("starts and ends must have one entry per token");
        }
        String[] pieces = new String[n];
        int[] gaps = new int[n];
        int prev = 0;
        for (int i = 0; i < n; i++) {
            int start = Math.max(starts[i], prev);
            int end = Math.max(ends[i], start);
            if (end > text.length()) {
                throw new IllegalArgumentException(
                        "token " + i + " ends at " + end + ", beyond the text's " + text.length());
            }
            pieces[i] = text.substring(prev, end);
            gaps[i] = start - prev;
            prev = end;
        }
        return new DocumentCodes(saeId, docId, tokens, pieces, gaps, text.substring(prev), codes, stats);
    }

    public int size() {
        return tokens.length;
    }

    /** The same codes carrying the value of the metadata field {@code field} (null value: the document has none). */
    public DocumentCodes withFacet(String field, String value) {
        return new DocumentCodes(saeId, docId, tokens, pieces, gaps, tail, codes, stats, field, value);
    }

    /** The same codes under another SAE id. */
    public DocumentCodes withSaeId(String id) {
        return new DocumentCodes(id, docId, tokens, pieces, gaps, tail, codes, stats, facetField, facetValue);
    }

    /** The original text. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String p : pieces) {
            sb.append(p);
        }
        return sb.append(tail).toString();
    }

    /** UTF-16 start offset of each token in {@link #text()}. */
    public int[] starts() {
        int[] s = new int[tokens.length];
        int at = 0;
        for (int i = 0; i < tokens.length; i++) {
            s[i] = at + gaps[i];
            at += pieces[i].length();
        }
        return s;
    }

    /** UTF-16 end offset (exclusive) of each token in {@link #text()}. */
    public int[] ends() {
        int[] e = new int[tokens.length];
        int at = 0;
        for (int i = 0; i < tokens.length; i++) {
            at += pieces[i].length();
            e[i] = at;
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentCodes d
                && saeId.equals(d.saeId)
                && docId.equals(d.docId)
                && Arrays.equals(tokens, d.tokens)
                && Arrays.equals(pieces, d.pieces)
                && Arrays.equals(gaps, d.gaps)
                && tail.equals(d.tail)
                && Arrays.equals(codes, d.codes)
                && stats.equals(d.stats)
                && java.util.Objects.equals(facetField, d.facetField)
                && java.util.Objects.equals(facetValue, d.facetValue);
    }

    @Override
    public int hashCode() {
        return 31 * saeId.hashCode() + docId.hashCode();
    }

    @Override
    public String toString() {
        return "DocumentCodes[" + saeId + ", " + docId + ", " + tokens.length + " tokens]";
    }
}
