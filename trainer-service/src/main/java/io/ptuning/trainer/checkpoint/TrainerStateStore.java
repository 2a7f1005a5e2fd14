package io.ptuning.trainer.checkpoint;

import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.kafka.TopicScan;
import io.ptuning.trainer.kafka.KafkaClients;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads a run's latest committed state from the compacted state topic (read_committed, to its end). */
public final class TrainerStateStore {

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
            AtomicReference<ConsumerRecord<String, byte[]>> latest = new AtomicReference<>();
            TopicScan.fromBeginning(consumer, List.of(topic)).forEach(record -> {
                if (runId.equals(record.key())) {
                    latest.set(record); // a null value is a tombstone: the run's state was deleted
                }
            });
            ConsumerRecord<String, byte[]> record = latest.get();
            return record == null || record.value() == null ? Optional.empty() : Optional.of(RunState.decode(record.value(),
                    RecordDecodingException.location(record.topic(), record.partition(), record.offset())));
        }
    }
}
