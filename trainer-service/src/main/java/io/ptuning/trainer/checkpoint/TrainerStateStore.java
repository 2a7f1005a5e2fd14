package io.ptuning.trainer.checkpoint;

import io.ptuning.contract.RecordDecodingException;
import io.ptuning.trainer.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a run's latest committed state from the compacted state topic (read_committed, to its end). */
public final class TrainerStateStore {

    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaClients kafka;
    private final String topic;

    public TrainerStateStore(KafkaClients kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /**
     * The last committed state of {@code runId}. Call it after the run's transactional producer has run
     * {@code initTransactions()}: that aborts a killed trainer's open transaction, so the end offset is stable.
     */
    public Optional<RunState> latest(String runId) {
        try (KafkaConsumer<String, byte[]> consumer = kafka.readCommittedConsumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            byte[] latest = null;
            String location = null;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (runId.equals(record.key())) {
                        latest = record.value(); // null: a tombstone, the run's state was deleted
                        location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
                    }
                }
            }
            return latest == null ? Optional.empty() : Optional.of(RunState.decode(latest, location));
        }
    }
}
