package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which feature the labelling service labels next: the features waiting for their turn (by where
 * their latest state is, not the state), the relabel policy's verdict on each, the ones being
 * labelled and the partitions this instance owns. Thread-safe: the poll thread offers and takes,
 * workers take and finish.
 */
final class LabelScheduler {
    private static final Logger log = LoggerFactory.getLogger(LabelScheduler.class);

    private final RelabelPolicy policy;
    private final LabelStore labels;
    private final LongSupplier clock;
    private final int concurrency;
    private final long retryAfterMillis;
    /** Features waiting for their turn, by key; guarded by itself. */
    private final Map<String, Pending> pending = new HashMap<>();
    /** Features being labelled, by key, with the partition each came from; every removal is signalled on it. */
    private final Map<String, TopicPartition> inFlight = new ConcurrentHashMap<>();
    /** The feature partitions this instance owns; changed together with {@code pending}, under its lock. */
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();

    /**
     * @param concurrency      features labelled at once
     * @param retryAfterMillis how long a feature whose label could not be made waits before it is tried again
     */
    LabelScheduler(
            RelabelPolicy policy, LabelStore labels, LongSupplier clock, int concurrency, long retryAfterMillis) {
        this.policy = policy;
        this.labels = labels;
        this.clock = clock;
        this.concurrency = concurrency;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** A feature waiting for its turn: where its latest state is, what it looks like, and the last verdict. */
    final class Pending implements RelabelPolicy.Candidate {
        final TopicPartition partition;
        final long offset;
        final RelabelCandidate summary;
        RelabelPolicy.Verdict verdict;
        long retryAfterMs;

        Pending(TopicPartition partition, long offset, RelabelCandidate summary) {
            this.partition = partition;
            this.offset = offset;
            this.summary = summary;
        }

        @Override
        public String key() {
            return summary.key();
        }

        @Override
        public boolean neverLabelled() {
            return labels.get(summary.key()) == null;
        }

        @Override
        public double density() {
            return summary.density();
        }
    }

    /** Takes the latest state of a feature, at {@code offset} of {@code partition}; decided at once when {@code decide}. */
    void offer(TopicPartition partition, long offset, FeatureState state, boolean decide) {
        Pending p = new Pending(partition, offset, RelabelCandidate.of(state));
        synchronized (pending) {
            pending.put(p.key(), p);
            if (decide) {
                decide(p);
            }
        }
    }

    /** Forgets a deleted feature. */
    void forget(String key) {
        synchronized (pending) {
            pending.remove(key);
        }
    }

    /** Decides one entry; drops it when there is nothing to do. Call holding {@code pending}. */
    private void decide(Pending p) {
        p.verdict = policy.decide(p.summary, labels.get(p.key()), clock.getAsLong());
        if (!p.verdict.decision().due() && p.verdict.decision() != RelabelPolicy.Decision.WAIT) {
            pending.remove(p.key(), p);
        }
    }

    /** Decides every feature offered before the ledger was read. */
    void decideAll() {
        synchronized (pending) {
            for (Pending p : new ArrayList<>(pending.values())) {
                decide(p);
            }
        }
    }

    /**
     * The most urgent due feature, now counted in flight, or null when {@code open} is false, every
     * worker is busy or nothing is due. The caller {@link #finished} it whatever becomes of it.
     */
    Pending take(boolean open) {
        long now = clock.getAsLong();
        Pending next = null;
        synchronized (pending) {
            if (!open || inFlight.size() >= concurrency) {
                return null;
            }
            for (Pending p : new ArrayList<>(pending.values())) {
                if (p.verdict == null || inFlight.containsKey(p.key()) || p.retryAfterMs > now) {
                    continue;
                }
                if (p.verdict.decision() == RelabelPolicy.Decision.WAIT && p.verdict.notBeforeMs() <= now) {
                    decide(p);
                }
                if (p.verdict.decision().due()
                        && pending.get(p.key()) == p
                        && (next == null || RelabelPolicy.PRIORITY.compare(p, next) < 0)) {
                    next = p;
                }
            }
            if (next == null) {
                return null;
            }
            pending.remove(next.key(), next);
            inFlight.put(next.key(), next.partition);
        }
        return next;
    }

    /** Whether the latest state of {@code state}'s feature is still due for a label now. */
    boolean stillDue(FeatureState state) {
        return policy.decide(RelabelCandidate.of(state), labels.get(state.key()), clock.getAsLong())
                .decision()
                .due();
    }

    /** The feature {@code key} is no longer in flight. */
    void finished(String key) {
        synchronized (inFlight) {
            inFlight.remove(key);
            inFlight.notifyAll();
        }
    }

    /** Tries {@code job} again later if its partition is still this instance's; its new owner labels it otherwise. */
    void requeue(Pending job, String why) {
        synchronized (pending) {
            if (owned.contains(job.partition)) {
                log.warn("{} not labelled, will try again in {} s: {}", job.key(), retryAfterMillis / 1000, why);
                job.retryAfterMs = clock.getAsLong() + retryAfterMillis;
                pending.putIfAbsent(job.key(), job);
            } else {
                log.warn(
                        "{} not labelled ({}); partition {} is no longer this instance's, its next owner labels it",
                        job.key(),
                        why,
                        job.partition);
            }
        }
    }

    void own(Collection<TopicPartition> partitions) {
        synchronized (pending) {
            owned.addAll(partitions);
        }
    }

    boolean owns(TopicPartition partition) {
        return owned.contains(partition);
    }

    /**
     * Forgets the pending work of {@code partitions}: no longer this instance's to start.
     *
     * @return how many of the features let go were due (as {@link #due} counts them)
     */
    int giveUp(Collection<TopicPartition> partitions) {
        synchronized (pending) {
            owned.removeAll(partitions);
            int due = 0;
            for (var it = pending.values().iterator(); it.hasNext(); ) {
                var p = it.next();
                if (partitions.contains(p.partition)) {
                    due += isDue(p) ? 1 : 0;
                    it.remove();
                }
            }
            return due;
        }
    }

    /**
     * Waits until no feature of {@code partitions} is in flight, or until {@code deadlineNanos}
     * ({@link System#nanoTime}); {@code waiting} hears the features still in flight before every wait
     * and once they are none.
     *
     * @return the features of {@code partitions} still in flight at the deadline; empty when all finished
     */
    List<String> awaitFinished(
            Collection<TopicPartition> partitions, long deadlineNanos, Consumer<List<String>> waiting)
            throws InterruptedException {
        synchronized (inFlight) {
            while (true) {
                List<String> left = inFlight.entrySet().stream()
                        .filter(e -> partitions.contains(e.getValue()))
                        .map(Map.Entry::getKey)
                        .sorted()
                        .toList();
                long wait = deadlineNanos - System.nanoTime();
                if (left.isEmpty() || wait <= 0) {
                    waiting.accept(left);
                    return left;
                }
                waiting.accept(left);
                TimeUnit.NANOSECONDS.timedWait(inFlight, wait);
            }
        }
    }

    /** Features due or not yet decided (those waiting for their interval are not counted). */
    int due() {
        synchronized (pending) {
            return (int) pending.values().stream().filter(LabelScheduler::isDue).count();
        }
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Not waiting for the relabel policy's next look: to be labelled as soon as a worker is free. */
    private static boolean isDue(Pending p) {
        return p.verdict == null || p.verdict.decision() != RelabelPolicy.Decision.WAIT;
    }

    /** The features in flight, in key order, for a log line. */
    Set<String> inFlightKeys() {
        return new TreeSet<>(inFlight.keySet());
    }
}
