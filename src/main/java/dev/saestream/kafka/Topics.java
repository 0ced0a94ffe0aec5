package dev.saestream.kafka;

/**
 * The names of saestream's topics, declared once. Their settings (partitions, cleanup policy,
 * retention, value schema) are in the spec files under {@code topics/}.
 */
public final class Topics {
    public static final String TEXTS = "saestream.texts";
    public static final String CODES = "saestream.codes";
    public static final String FEATURES = "saestream.features";
    public static final String FEATURE_STATS = "saestream.feature-stats";
    public static final String BACKGROUND = "saestream.background";
    public static final String LABELS = "saestream.labels";
    public static final String DLQ = "saestream.dlq";

    private Topics() {}
}
