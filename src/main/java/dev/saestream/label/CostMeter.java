package dev.saestream.label;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects the LLM calls of one label into its {@link Cost}. Thread-safe. */
public final class CostMeter {
    /** What null-baseline calls add to their kind: {@code detection-null}. */
    public static final String NULL_SUFFIX = "-null";

    private final List<Cost.Call> calls = new ArrayList<>();
    private final CostMeter parent;

    public CostMeter() {
        this.parent = null;
    }

    private CostMeter(CostMeter parent) {
        this.parent = parent;
    }

    /** A meter that records into this one under the kind {@code kind + "-null"}: a null baseline's calls. */
    public CostMeter forNull() {
        return new CostMeter(this);
    }

    public void record(Cost.Call call) {
        if (parent != null) {
            parent.record(new Cost.Call(
                    call.kind() + NULL_SUFFIX,
                    call.attempt(),
                    call.inputTokens(),
                    call.outputTokens(),
                    call.millis(),
                    call.outcome(),
                    call.cachedInputTokens(),
                    call.cacheWriteInputTokens()));
            return;
        }
        synchronized (this) {
            calls.add(call);
        }
    }

    public synchronized Cost cost() {
        Map<String, long[]> byKind = new LinkedHashMap<>();
        long in = 0;
        long out = 0;
        long cached = 0;
        long written = 0;
        int failed = 0;
        for (Cost.Call c : calls) {
            long[] k = byKind.computeIfAbsent(c.kind(), x -> new long[5]);
            k[0]++;
            k[1] += c.inputTokens();
            k[2] += c.outputTokens();
            k[3] += c.cachedInputTokens();
            k[4] += c.cacheWriteInputTokens();
            in += c.inputTokens();
            out += c.outputTokens();
            cached += c.cachedInputTokens();
            written += c.cacheWriteInputTokens();
            if (!"ok".equals(c.outcome())) {
                failed++;
            }
        }
        Map<String, Cost.KindCost> kinds = new LinkedHashMap<>();
        byKind.forEach((kind, k) -> kinds.put(kind, new Cost.KindCost((int) k[0], k[1], k[2], k[3], k[4])));
        return new Cost(calls.size(), failed, in, out, kinds, calls, cached, written);
    }
}
