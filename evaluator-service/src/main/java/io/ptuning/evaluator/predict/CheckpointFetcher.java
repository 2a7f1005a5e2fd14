package io.ptuning.evaluator.predict;

import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.TopicScan;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.evaluator.history.CheckpointLocation;
import io.ptuning.evaluator.scoring.Checkpoint;
import io.ptuning.evaluator.scoring.CheckpointRejected;
import io.ptuning.evaluator.scoring.KafkaClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a checkpoint back from {@code ptuning.checkpoints}: at a known offset, or (after a restart, when only the
 * evaluation events were replayed) by scanning for the run's record of that step.
 */
@ApplicationScoped
public class CheckpointFetcher {

    private final KafkaClients clients;
    private final int maxMessageBytes;

    CheckpointFetcher(EvaluatorConfig config, KafkaClients clients) {
        this.clients = clients;
        this.maxMessageBytes = config.maxMessageBytes();
    }

    public Checkpoint fetch(CheckpointLocation location) {
        try (KafkaConsumer<String, byte[]> consumer = clients.reader(maxMessageBytes, "evaluator-checkpoint-fetch")) {
            TopicPartition partition = new TopicPartition(location.topic(), location.partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, location.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() == location.offset()) {
                        return Checkpoint.decode(record.value(),
                                RecordDecodingException.location(record.topic(), record.partition(), record.offset()));
                    }
                }
            }
        }
        throw new CheckpointRejected("checkpoint at " + location + " could not be read back (deleted by retention?)");
    }

    /** The latest record of {@code runId} at {@code step} in the checkpoint topic, if any. */
    public Optional<Checkpoint> find(String runId, long step) {
        AtomicReference<Checkpoint> found = new AtomicReference<>();
        try (KafkaConsumer<String, byte[]> consumer = clients.reader(maxMessageBytes, "evaluator-checkpoint-scan")) {
            TopicScan.fromBeginning(consumer, List.of(Topics.CHECKPOINTS)).forEach(record -> {
                if (!runId.equals(record.key())) {
                    return;
                }
                try {
                    Checkpoint checkpoint = Checkpoint.decode(record.value(),
                            RecordDecodingException.location(record.topic(), record.partition(), record.offset()));
                    if (checkpoint.metadata().runId().equals(runId) && checkpoint.metadata().step() == step) {
                        found.set(checkpoint);
                    }
                } catch (CheckpointRejected e) {
                    // not loadable; the dead-letter topic already says why
                }
            });
        }
        return Optional.ofNullable(found.get());
    }
}
