package dev.saestream.kafka;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.KafkaFutureImpl;

/** A real admin client whose offset lookups fail as a broker's can, for the paths no healthy broker takes on demand. */
final class FaultyAdmin {
    private FaultyAdmin() {}

    /**
     * {@code failure} gets each offset lookup's number (from 1) and returns the error that lookup
     * fails with, or null to pass it to {@code real}.
     */
    static Admin offsetLookups(Admin real, IntFunction<Exception> failure) {
        AtomicInteger lookups = new AtomicInteger();
        return (Admin) Proxy.newProxyInstance(
                Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, (proxy, method, args) -> {
                    Exception cause =
                            method.getName().equals("listOffsets") ? failure.apply(lookups.incrementAndGet()) : null;
                    if (cause == null) {
                        return method.invoke(real, args);
                    }
                    KafkaFutureImpl<ListOffsetsResult.ListOffsetsResultInfo> failed = new KafkaFutureImpl<>();
                    failed.completeExceptionally(cause);
                    return new ListOffsetsResult(Map.of(new TopicPartition("any", 0), failed));
                });
    }
}
