package dev.saestream.serve;

import dev.saestream.catalog.FeatureState;
import dev.saestream.label.Label;
import dev.saestream.label.LabelReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code GET /api/labels/report}: {@link LabelReport#of} over one SAE's latest labels and feature
 * states as the view holds them, the same figures {@code saestream label report} prints.
 *
 * <p>Building it inflates and parses every label and state of the SAE, which costs seconds on
 * 3,072 features; so the report is cached per SAE and built again only when a state or label of
 * that SAE changed since ({@link SaeFeatures#generation}), and then at most once every
 * {@link #MIN_INTERVAL_MS}: while the catalogue is being written, a request may get a report up
 * to that old. Requests for one SAE wait for one build rather than each building their own.
 */
final class LabelReports {
    /** The least time between two builds of one SAE's report. */
    static final long MIN_INTERVAL_MS = 5_000;

    private record Cached(long generation, long builtMs, LabelReport report) {}

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    LabelReports() {
        this(System::currentTimeMillis);
    }

    LabelReports(LongSupplier clock) {
        this.clock = clock;
    }

    /** The report of {@code s}, from the cache when nothing changed or it is recent enough. */
    LabelReport of(SaeFeatures s) {
        Cached c = cache.get(s.saeId());
        if (fresh(c, s)) {
            return c.report();
        }
        synchronized (locks.computeIfAbsent(s.saeId(), k -> new Object())) {
            c = cache.get(s.saeId());
            if (fresh(c, s)) {
                return c.report();
            }
            // read before building: a change during the build makes the next request build again
            long generation = s.generation();
            Cached built = new Cached(generation, clock.getAsLong(), build(s));
            cache.put(s.saeId(), built);
            return built.report();
        }
    }

    private boolean fresh(Cached c, SaeFeatures s) {
        return c != null && (c.generation() == s.generation() || clock.getAsLong() - c.builtMs() < MIN_INTERVAL_MS);
    }

    /** The report over the view's labels and states of one SAE, labels in index order as the command's are by key. */
    static LabelReport build(SaeFeatures s) {
        List<LabelEntry> entries = new ArrayList<>(s.labels());
        entries.sort(Comparator.comparingInt(LabelEntry::index));
        List<Label> labels = new ArrayList<>(entries.size());
        Map<String, FeatureState> states = new HashMap<>();
        for (LabelEntry e : entries) {
            Label l = e.full();
            labels.add(l);
            FeatureEntry f = s.feature(e.index());
            if (f != null) {
                states.put(l.key(), f.state().withoutReservoir());
            }
        }
        if (states.isEmpty()) {
            // the command reads every state of the SAE, and reports the basis (compared 0) whenever there is one
            s.features().stream().findFirst().ifPresent(f -> {
                FeatureState st = f.state();
                states.put(st.key(), st.withoutReservoir());
            });
        }
        return LabelReport.of(labels, states);
    }
}
