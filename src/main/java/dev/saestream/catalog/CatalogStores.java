package dev.saestream.catalog;

/** Names of the catalog's state stores, declared once for the topology, the processors and the queries. */
public final class CatalogStores {
    /** Feature statistics checkpoints, keyed {@code saeId/index}. */
    public static final String STATS = "catalog-stats";
    /** Per-SAE totals (documents, tokens, reconstruction), keyed by SAE id. */
    public static final String TOTALS = "catalog-totals";
    /** Top and reservoir windows, one entry per window, keyed by {@link WindowKeys}. */
    public static final String WINDOWS = "catalog-windows";
    /** The display pieces of every document a window refers to, keyed by {@link WindowKeys#document}. */
    public static final String DOCUMENTS = "catalog-documents";
    /** The background sample, keyed by {@link WindowKeys#background}. */
    public static final String BACKGROUND = "catalog-background";
    /** Deltas applied since the last statistics checkpoint, keyed by sequence number. */
    public static final String LOG = "catalog-log";

    private CatalogStores() {}
}
