package dev.saestream.label;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Live counts of the labelling service, for its progress, its log and the web API; shared by its workers. */
final class LabelCounters {
    final AtomicLong featuresRead = new AtomicLong();
    final AtomicLong labelled = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong inputTokens = new AtomicLong();
    final AtomicLong cachedInputTokens = new AtomicLong();
    final AtomicLong outputTokens = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    /** Failures by reason (a failed label's reason up to its first colon, or the exception's class). */
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

    /** Counts a label written: labelled or failed, and what its LLM calls cost. */
    void written(Label label) {
        if (label.status() == Label.Status.OK) {
            labelled.incrementAndGet();
        } else {
            failed(reason(label.failure()));
        }
        calls.addAndGet(label.cost().calls());
        inputTokens.addAndGet(label.cost().inputTokens());
        cachedInputTokens.addAndGet(label.cost().cachedInputTokens());
        outputTokens.addAndGet(label.cost().outputTokens());
    }

    void failed(String reason) {
        failed.incrementAndGet();
        failures.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }

    /** The general part of a failure's message: up to its first colon, so that feature-specific detail does not split counts. */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "unknown";
        }
        int colon = failure.indexOf(':');
        return (colon > 0 ? failure.substring(0, colon) : failure).strip();
    }

    /** Labels failed so far, by reason, in reason order; sums to {@link #failed}. */
    Map<String, Long> failureReasons() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
