package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-feature state is bounded: ten times the documents do not make ten times the state. */
class CatalogMemoryTest {
    @TempDir
    Path stateDir;

    record Size(long entries, long bytes) {}

    static <K> Size size(KeyValueStore<K, byte[]> store) {
        long entries = 0;
        long bytes = 0;
        try (KeyValueIterator<K, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<K, byte[]> kv = it.next();
                entries++;
                bytes += kv.value.length + (kv.key instanceof Bytes b ? b.get().length : 16);
            }
        }
        return new Size(entries, bytes);
    }

    static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void stateStaysBoundedWhenTheDocumentsGrowTenfold() {
        CatalogConfig config = CatalogTopologyTest.config(false);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "memory");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        List<DocumentCodes> docs = SyntheticCodes.documents(99, 2_000, 64, 12);
        try (TopologyTestDriver driver = new TopologyTestDriver(CatalogTopology.build(config, 3), p)) {
            TestInputTopic<String, byte[]> in =
                    driver.createInputTopic(Topics.CODES, new StringSerializer(), new ByteArraySerializer());
            docs.subList(0, 200)
                    .forEach(d -> in.pipeInput(d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF)));
            driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
            Size windows1 = size(driver.<Bytes, byte[]>getKeyValueStore(CatalogStores.WINDOWS));
            Size stats1 = size(driver.<String, byte[]>getKeyValueStore(CatalogStores.STATS));
            Size documents1 = size(driver.<String, byte[]>getKeyValueStore(CatalogStores.DOCUMENTS));
            long heap1 = heapAfterGc();

            docs.subList(200, 2_000)
                    .forEach(d -> in.pipeInput(d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF)));
            driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
            Size windows10 = size(driver.<Bytes, byte[]>getKeyValueStore(CatalogStores.WINDOWS));
            Size stats10 = size(driver.<String, byte[]>getKeyValueStore(CatalogStores.STATS));
            Size log10 = size(driver.<Long, byte[]>getKeyValueStore(CatalogStores.LOG));
            Size background10 = size(driver.<Bytes, byte[]>getKeyValueStore(CatalogStores.BACKGROUND));
            Size documents10 = size(driver.<String, byte[]>getKeyValueStore(CatalogStores.DOCUMENTS));
            long heap10 = heapAfterGc();

            System.out.printf(
                    "documents 200 -> 2000: window store %d -> %d entries, %d -> %d bytes;"
                            + " referenced documents %d -> %d (%d -> %d bytes); statistics %d -> %d bytes;"
                            + " heap after GC %.1f -> %.1f MB%n",
                    windows1.entries(),
                    windows10.entries(),
                    windows1.bytes(),
                    windows10.bytes(),
                    documents1.entries(),
                    documents10.entries(),
                    documents1.bytes(),
                    documents10.bytes(),
                    stats1.bytes(),
                    stats10.bytes(),
                    heap1 / 1e6,
                    heap10 / 1e6);
            assertThat(windows10.entries())
                    .isLessThanOrEqualTo(stats10.entries() * (config.topK() + config.reservoirSize()));
            assertThat(windows10.bytes()).isLessThan(windows1.bytes() * 3 / 2);
            assertThat(stats10.bytes()).isLessThan(stats1.bytes() * 3 / 2);
            // documents are kept only while a window refers to them: at most one per window, so the state is
            // bounded by features × (top-k + reservoir) whatever the number of documents
            assertThat(documents10.entries()).isLessThanOrEqualTo(windows10.entries());
            long state1 = windows1.bytes() + documents1.bytes() + stats1.bytes();
            long state10 = windows10.bytes() + documents10.bytes() + stats10.bytes();
            assertThat(state10).as("state after ten times the documents").isLessThan(4 * state1);
            assertThat(background10.entries()).isEqualTo(config.backgroundSize());
            // everything logged since the last checkpoint was folded into it
            assertThat(log10.entries()).isZero();
        }
    }
}
