package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.List;

/**
 * What the relabelling decision looks at in a feature state, small enough to keep for every
 * pending feature (the full state, reservoir and all, is fetched again when its turn comes).
 */
public record RelabelCandidate(String key, long version, long windows, double density, List<String> topIds) {
    public RelabelCandidate {
        topIds = List.copyOf(topIds);
    }

    public static RelabelCandidate of(FeatureState state) {
        return new RelabelCandidate(
                state.key(),
                state.version(),
                state.windows(),
                state.density(),
                state.top().stream().map(FeatureWindow::id).toList());
    }
}
