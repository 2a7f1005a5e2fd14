package io.ptuning.contract.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads every partition of some topics from the beginning to the end offsets they have when a read starts, with
 * the caller's consumer: its settings decide what the end is ({@code read_committed} stops at the last committed
 * transaction). A read may also hand over records written after it started when they arrive in the same poll.
 * The consumer must have no group subscription; the scan assigns the partitions itself.
 */
public final class TopicScan<K, V> {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<K, V> consumer;
    private final List<TopicPartition> partitions;

    private TopicScan(Consumer<K, V> consumer, List<TopicPartition> partitions) {
        this.consumer = consumer;
        this.partitions = partitions;
    }

    /**
     * Assigns every partition of {@code topics} to {@code consumer}, each at its beginning. A topic that does not
     * exist adds no partition (unless the consumer and the broker both allow creating topics on a metadata request).
     */
    public static <K, V> TopicScan<K, V> fromBeginning(Consumer<K, V> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, METADATA_TIMEOUT)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return new TopicScan<>(consumer, List.copyOf(partitions));
    }

    /** Empty when none of the topics exists. */
    public List<TopicPartition> partitions() {
        return partitions;
    }

    /** Hands every record up to the end offsets as of now to {@code action}. */
    public void forEach(java.util.function.Consumer<? super ConsumerRecord<K, V>> action) {
        read(record -> {
            action.accept(record);
            return false;
        }, null);
    }

    /**
     * As {@link #forEach(java.util.function.Consumer)}, giving up with Kafka's {@link TimeoutException}, which names
     * the positions and end offsets, once the end is not reached within {@code timeout}.
     */
    public void forEach(java.util.function.Consumer<? super ConsumerRecord<K, V>> action, Duration timeout) {
        read(record -> {
            action.accept(record);
            return false;
        }, timeout);
    }

    /**
     * Hands records to {@code stop} until it returns true (then true) or the end offsets as of now are reached
     * (then false). After an early stop the consumer is past records of the last poll that {@code stop} did not see:
     * scan again from the beginning rather than carry on.
     */
    public boolean until(Predicate<? super ConsumerRecord<K, V>> stop) {
        return read(stop, null);
    }

    private boolean read(Predicate<? super ConsumerRecord<K, V>> stop, Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long start = System.nanoTime();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (timeout != null && System.nanoTime() - start > timeout.toNanos()) {
                throw new TimeoutException(partitions.stream().map(TopicPartition::topic).distinct().toList()
                        + " not read to the end within " + timeout + " (at " + positions() + ", end " + end + ")");
            }
            for (ConsumerRecord<K, V> record : consumer.poll(POLL)) {
                if (stop.test(record)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Map<TopicPartition, Long> positions() {
        return partitions.stream().collect(Collectors.toMap(p -> p, consumer::position));
    }
}
