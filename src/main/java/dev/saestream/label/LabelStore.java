package dev.saestream.label;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest label of every feature, as read back from {@code saestream.labels} and as written by
 * this instance: the ledger of what has been paid for. A label never replaces a newer one (the
 * topic can be read back after this instance has written), so a lagging read can not make a
 * labelled version look unlabelled.
 */
public final class LabelStore {
    private final Map<String, Label> byKey = new ConcurrentHashMap<>();

    public void offer(Label label) {
        byKey.merge(label.key(), label, (old, now) -> newer(now, old) ? now : old);
    }

    /** A tombstone on the labels topic: the feature's label was deleted. */
    public void remove(String key) {
        byKey.remove(key);
    }

    public Label get(String key) {
        return byKey.get(key);
    }

    public int size() {
        return byKey.size();
    }

    private static boolean newer(Label a, Label b) {
        if (a.basis().version() != b.basis().version()) {
            return a.basis().version() > b.basis().version();
        }
        return a.createdMs() >= b.createdMs();
    }
}
