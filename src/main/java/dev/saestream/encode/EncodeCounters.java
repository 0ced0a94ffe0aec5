package dev.saestream.encode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counts of the encode stage, for progress bars and summaries; shared by its stream threads. */
public final class EncodeCounters {
    public final AtomicLong read = new AtomicLong();
    public final AtomicLong encoded = new AtomicLong();
    public final AtomicLong deadLettered = new AtomicLong();
    public final AtomicLong tokens = new AtomicLong();
    public final AtomicLong codeBytes = new AtomicLong();
    /** Nanoseconds spent inside the encoder (transformer and SAE). */
    public final AtomicLong encodeNanos = new AtomicLong();

    private final Map<String, LongAdder> deadLetterReasons = new ConcurrentHashMap<>();

    void deadLettered(String reason) {
        deadLetterReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
        deadLettered.incrementAndGet();
    }

    /** Dead letters by reason, in reason order, so that a summary says why. */
    public Map<String, Long> deadLetterReasons() {
        Map<String, Long> out = new TreeMap<>();
        deadLetterReasons.forEach((reason, n) -> out.put(reason, n.sum()));
        return out;
    }
}
