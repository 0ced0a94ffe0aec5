package dev.saestream.corpus;

/** The reasons an input is refused, spelled once; they appear in dead letters and tests. */
public final class Refusals {
    public static final String EMPTY_TEXT = "empty-text";
    public static final String INVALID_UTF8 = "invalid-utf8";
    public static final String MALFORMED_JSON = "malformed-json";
    public static final String MISSING_TEXT = "missing-text";
    public static final String TEXT_NOT_STRING = "text-not-string";
    public static final String BAD_FIELD = "bad-field";
    public static final String DUPLICATE_ID = "duplicate-id";
    public static final String TOO_LARGE = "too-large";
    public static final String UNREADABLE = "unreadable";

    private Refusals() {}
}
