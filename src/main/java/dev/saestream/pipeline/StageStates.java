package dev.saestream.pipeline;

import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogTopology;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.Topics;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What every wait on an in-JVM stage checks: that the stage still runs (a wait on a stopped stage
 * would never end), and when the catalog has caught up with its inputs.
 */
public final class StageStates {
    private StageStates() {}

    /** Throws when {@code streams} has stopped or failed; {@code stage} names it in the message. */
    public static void requireRunning(KafkaStreams streams, String stage) {
        KafkaStreams.State s = streams.state();
        if (s == KafkaStreams.State.ERROR
                || s == KafkaStreams.State.NOT_RUNNING
                || s == KafkaStreams.State.PENDING_ERROR) {
            throw new IllegalStateException(stage + " stopped (" + s + "); see the log");
        }
    }

    /**
     * True when {@code catalog} runs and its application {@code applicationId} has committed
     * everything on saestream.codes and on its own shard repartition topic.
     */
    public static boolean catalogCaughtUp(Admin admin, CatalogApp catalog, String applicationId)
            throws InterruptedException {
        // running, not restoring: after a restart there may be no lag while the stores still load
        return catalog.streams().state() == KafkaStreams.State.RUNNING
                && !catalog.restore().restoring()
                && ConsumerLag.caughtUp(
                        admin, applicationId, Set.of(Topics.CODES, CatalogTopology.shardsTopic(applicationId)));
    }
}
