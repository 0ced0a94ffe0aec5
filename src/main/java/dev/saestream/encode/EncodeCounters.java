package dev.saestream.encode;

import java.util.concurrent.atomic.AtomicLong;

/** Live counts of the encode stage, for progress bars and summaries; shared by its stream threads. */
public final class EncodeCounters {
    public final AtomicLong read = new AtomicLong();
    public final AtomicLong encoded = new AtomicLong();
    public final AtomicLong deadLettered = new AtomicLong();
    public final AtomicLong tokens = new AtomicLong();
    public final AtomicLong codeBytes = new AtomicLong();
    /** Nanoseconds spent inside the encoder (transformer and SAE). */
    public final AtomicLong encodeNanos = new AtomicLong();
}
