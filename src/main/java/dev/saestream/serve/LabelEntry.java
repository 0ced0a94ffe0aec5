package dev.saestream.serve;

import dev.saestream.formats.Json;
import dev.saestream.label.Cost;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import java.util.Map;

/**
 * One feature's latest label as the view keeps it: what lists show and search, and the whole
 * record (with its basis and history) compressed.
 *
 * @param index       feature index
 * @param status      ok or failed
 * @param explanation the explanation (null when failed)
 * @param failure     why it failed (null when ok)
 * @param scorer      the main score's scorer, or null when the label has no score
 * @param score       the main score: embedding when present, else the first
 * @param createdMs   when it was made
 * @param cost        what it cost in LLM calls and tokens
 * @param explainer   who explained it
 * @param label       the label's JSON, compressed
 */
record LabelEntry(
        int index,
        Label.Status status,
        String explanation,
        String failure,
        String scorer,
        Score score,
        long createdMs,
        Cost cost,
        Label.ExplainerInfo explainer,
        Deflated label) {
    static final String MAIN_SCORER = "embedding";

    static LabelEntry parse(byte[] json) {
        Label l = Json.read(json, Label.class);
        Map.Entry<String, Score> main = mainScore(l.scores());
        return new LabelEntry(
                l.index(),
                l.status(),
                l.explanation(),
                l.failure(),
                main == null ? null : main.getKey(),
                main == null ? null : main.getValue(),
                l.createdMs(),
                l.cost(),
                l.explainer(),
                Deflated.of(json));
    }

    /** The score lists sort by: embedding when present, else the label's first. */
    static Map.Entry<String, Score> mainScore(Map<String, Score> scores) {
        if (scores == null || scores.isEmpty()) {
            return null;
        }
        Score embedding = scores.get(MAIN_SCORER);
        return embedding != null
                ? Map.entry(MAIN_SCORER, embedding)
                : scores.entrySet().iterator().next();
    }

    Label full() {
        return Json.read(label.inflate(), Label.class);
    }

    boolean ok() {
        return status == Label.Status.OK;
    }
}
