package dev.saestream.catalog;

import java.util.Set;

/**
 * Which SAEs a catalog application catalogues, and under which id. {@code saestream.codes} carries
 * the codes of every SAE that is being encoded (the live one and any being reprocessed), and each
 * catalog application builds the catalogues of its own SAEs: so a reprocess beside the live
 * catalogue writes its features once, and a rebuild from the codes with other catalog settings can
 * write them under a new id beside the old ones.
 *
 * @param saeIds   the SAE ids to catalogue; empty for every SAE on the topic
 * @param renameTo the id to write the one SAE of {@code saeIds} under, or empty to keep its id
 */
public record CatalogScope(Set<String> saeIds, String renameTo) {
    /** Every SAE on the topic, under its own id. */
    public static final CatalogScope ALL = new CatalogScope(Set.of(), "");

    public CatalogScope {
        saeIds = saeIds == null ? Set.of() : Set.copyOf(saeIds);
        renameTo = renameTo == null ? "" : renameTo.strip();
        if (!renameTo.isEmpty() && saeIds.size() != 1) {
            throw new IllegalArgumentException("a catalogue can be renamed (to " + renameTo
                    + ") only when it reads one SAE," + " got " + (saeIds.isEmpty() ? "every SAE" : saeIds));
        }
        if (!renameTo.isEmpty() && saeIds.contains(renameTo)) {
            throw new IllegalArgumentException(
                    "renaming " + renameTo + " to itself would write over its own catalogue");
        }
    }

    /** Only these SAEs, under their own ids. */
    public static CatalogScope of(Set<String> saeIds) {
        return new CatalogScope(saeIds, "");
    }

    /** True when documents encoded by {@code saeId} belong in this catalogue. */
    public boolean includes(String saeId) {
        return saeIds.isEmpty() || saeIds.contains(saeId);
    }

    /** The id the catalogue of {@code saeId} is written under. */
    public String idOf(String saeId) {
        return renameTo.isEmpty() ? saeId : renameTo;
    }
}
