package dev.saestream.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Hugging Face tokenizer (DJL's binding of the Rust library) that encodes whole texts without
 * special tokens, truncation or padding, and reports offsets as UTF-16 indices into the Java
 * string. The special tokens the tokenizer would add around one sequence ([CLS] … [SEP], BOS …)
 * are read from its post-processor once, so each window gets them.
 */
final class TextTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Encoded prefix;
    private final Encoded suffix;

    /** One text's tokens; {@code starts}/{@code ends} index the Java string. */
    record Encoded(long[] ids, String[] tokens, int[] starts, int[] ends) {
        int size() {
            return ids.length;
        }
    }

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        // The post-processor's template, read off a one-word text: specials before and after it.
        Encoding probe = tokenizer.encode("a", true, false);
        long[] mask = probe.getSpecialTokenMask();
        int first = 0;
        while (first < mask.length && mask[first] == 1) {
            first++;
        }
        int last = mask.length - 1;
        while (last >= first && mask[last] == 1) {
            last--;
        }
        if (first > last) {
            throw new IllegalStateException("the tokenizer turns the text \"a\" into special tokens only");
        }
        this.prefix = slice(probe, 0, first);
        this.suffix = slice(probe, last + 1, mask.length);
    }

    private static Encoded slice(Encoding e, int from, int to) {
        return new Encoded(
                Arrays.copyOfRange(e.getIds(), from, to),
                Arrays.copyOfRange(e.getTokens(), from, to),
                new int[to - from],
                new int[to - from]);
    }

    static TextTokenizer open(Path tokenizerJson) throws IOException {
        HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
        try {
            return new TextTokenizer(t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Special tokens before each window's text. */
    Encoded prefix() {
        return prefix;
    }

    /** Special tokens after each window's text. */
    Encoded suffix() {
        return suffix;
    }

    List<Encoded> encode(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts, false, false);
        List<Encoded> out = new ArrayList<>(texts.size());
        for (int i = 0; i < encodings.length; i++) {
            out.add(convert(texts.get(i), encodings[i]));
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static Encoded convert(String text, Encoding e) {
        long[] ids = e.getIds();
        CharSpan[] spans = e.getCharTokenSpans();
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        int[] utf16 = utf16Index(text);
        for (int i = 0; i < ids.length; i++) {
            CharSpan s = spans[i];
            starts[i] = utf16 == null ? s.getStart() : utf16[s.getStart()];
            ends[i] = utf16 == null ? s.getEnd() : utf16[s.getEnd()];
        }
        return new Encoded(ids, e.getTokens(), starts, ends);
    }

    /**
     * The UTF-16 index of each code point index (and of the end), or null when they are equal
     * because the text has no characters outside the Basic Multilingual Plane. The Rust tokenizer
     * counts code points; Java strings count UTF-16 units, two per emoji.
     */
    static int[] utf16Index(String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints == text.length()) {
            return null;
        }
        int[] index = new int[codePoints + 1];
        int u = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            index[cp] = u;
            u += Character.charCount(text.codePointAt(u));
        }
        index[codePoints] = u;
        return index;
    }
}
