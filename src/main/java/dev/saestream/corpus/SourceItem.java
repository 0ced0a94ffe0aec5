package dev.saestream.corpus;

/** What a source yields: a document read, or an input it had to refuse, with where it came from. */
public sealed interface SourceItem {
    /** Where in the input: {@code file}, {@code file:line}, {@code stdin:line}, {@code europarl:line}. */
    String location();

    /** A document read successfully. */
    record Read(Document document, String location) implements SourceItem {}

    /**
     * An input that could not be read as a document.
     *
     * @param reason   short machine-friendly reason, e.g. {@code invalid-utf8}, {@code malformed-json}
     * @param detail   one human sentence with the specifics
     * @param original the raw bytes as read (possibly only a prefix, for huge inputs)
     * @param size     the original's full size in bytes
     */
    record Refused(String reason, String detail, String location, byte[] original, long size) implements SourceItem {}

    /** A document of the bundled corpus left out because its language is not among those asked for ({@code produce.lang}). */
    record OtherLanguage(String lang, String location) implements SourceItem {}
}
