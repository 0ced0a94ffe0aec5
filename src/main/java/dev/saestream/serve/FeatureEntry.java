package dev.saestream.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureStatistics;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One feature as the view keeps it: the figures lists sort and show, read without building the
 * windows, and the whole state compressed, parsed again only when its page is asked for.
 *
 * @param saeId       the SAE
 * @param index       feature index
 * @param version     the state's version
 * @param updatedMs   when the catalogue last changed it
 * @param tokensSeen  tokens the SAE's catalogue had seen then
 * @param activations tokens it fired on
 * @param documents   documents it fired in
 * @param windows     activating windows seen
 * @param density     activations / tokensSeen
 * @param max         largest activation
 * @param mean        mean activation where it fired
 * @param histogram   activation histogram counts
 * @param json        the latest full state's JSON (saestream.features), compressed
 * @param figures     newer statistics than that state's (saestream.feature-stats), compressed; null when the
 *                    full state is the newest
 */
record FeatureEntry(
        String saeId,
        int index,
        long version,
        long updatedMs,
        long tokensSeen,
        long activations,
        long documents,
        long windows,
        double density,
        double max,
        double mean,
        long[] histogram,
        Deflated json,
        Deflated figures) {

    /** Reads the summary from a feature state's JSON, skipping its windows, and keeps the JSON compressed. */
    static FeatureEntry parse(byte[] json) {
        return read(json, Deflated.of(json), null);
    }

    /**
     * This entry with the figures of a saestream.feature-stats record when they are newer than its own,
     * keeping the full state's windows; else this entry.
     */
    FeatureEntry withFigures(byte[] statistics) {
        FeatureEntry f = read(statistics, json, Deflated.of(statistics));
        if (!f.saeId.equals(saeId) || f.index != index) {
            throw new IllegalArgumentException(
                    "statistics of " + f.saeId + "/" + f.index + " for " + saeId + "/" + index);
        }
        return f.version > version ? f : this;
    }

    /** A newer full state, keeping this entry's figures when they are newer still. */
    FeatureEntry withState(FeatureEntry state) {
        if (figures != null && version > state.version) {
            return read(figures.inflate(), state.json, figures);
        }
        return state;
    }

    /** The summary read from a full state's or a statistics record's JSON. */
    private static FeatureEntry read(byte[] json, Deflated state, Deflated figures) {
        String saeId = null;
        int index = -1;
        long version = 0;
        long updatedMs = 0;
        long tokensSeen = 0;
        long activations = 0;
        long documents = 0;
        long windows = 0;
        double sum = 0;
        double max = 0;
        long[] histogram = null;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a feature state must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "saeId" -> saeId = p.getValueAsString();
                    case "index" -> index = p.getIntValue();
                    case "version" -> version = p.getLongValue();
                    case "updatedMs" -> updatedMs = p.getLongValue();
                    case "tokensSeen" -> tokensSeen = p.getLongValue();
                    case "activations" -> activations = p.getLongValue();
                    case "documents" -> documents = p.getLongValue();
                    case "windows" -> windows = p.getLongValue();
                    case "sum" -> sum = p.getDoubleValue();
                    case "max" -> max = p.getFloatValue();
                    case "histogram" ->
                        histogram = Json.MAPPER
                                .readValue(p, ActivationHistogram.class)
                                .counts();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a feature state: " + e.getMessage(), e);
        }
        if (saeId == null || index < 0) {
            throw new IllegalArgumentException("a feature state needs saeId and index");
        }
        double density = tokensSeen == 0 ? 0 : (double) activations / tokensSeen;
        double mean = activations == 0 ? 0 : sum / activations;
        return new FeatureEntry(
                saeId,
                index,
                version,
                updatedMs,
                tokensSeen,
                activations,
                documents,
                windows,
                density,
                max,
                mean,
                histogram == null ? new long[ActivationHistogram.SIZE] : histogram,
                state,
                figures);
    }

    /** The whole state: the latest full state's windows, with the newest figures. */
    FeatureState state() {
        FeatureState full = Json.read(json.inflate(), FeatureState.class);
        if (figures == null) {
            return full;
        }
        return full.withFigures(Json.read(figures.inflate(), FeatureStatistics.class));
    }
}
