package io.ptuning.trainer.sweep;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.contract.kafka.TopicScan;
import io.ptuning.trainer.admission.RunRequestCheck;
import io.ptuning.trainer.kafka.KafkaClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Accepts a sweep once: writes the sweep record and its run requests to {@code ptuning.runs} in one transaction,
 * unless the sweep is already there. The transactional id is the sweep's, so two trainers expanding the same sweep at
 * once cannot both write it: the later {@code initTransactions()} fences the earlier and aborts what it had open.
 */
public final class SweepPublisher {

    /** What a sweep request led to: the runs it created now, and those an earlier identical request had created. */
    public record Published(String sweepId, List<String> created, List<String> existing) {}

    /** The sweep id is taken by another definition. */
    public static final class SweepConflictException extends RuntimeException {
        SweepConflictException(String message) {
            super(message);
        }
    }

    private final KafkaClients kafka;
    private final RunRequestCheck door;

    public SweepPublisher(KafkaClients kafka, RunRequestCheck door) {
        this.kafka = kafka;
        this.door = door;
    }

    /**
     * Checks every run of {@code sweep} as {@code POST /runs} checks a request ({@link RunRequestCheck}: recipe keys
     * and values, base model, batch topic and dataset version; a refusal is an {@link IllegalArgumentException} naming
     * each run's problems), then publishes the sweep unless it exists. Nothing is published when any run is refused.
     */
    public Published publish(SweepRequest sweep) {
        List<RunRequest> runs = sweep.runRequests();
        List<String> problems = new ArrayList<>();
        for (RunRequest run : runs) {
            if (door.checkRecord(JsonRecords.encode(run), run.runId()) instanceof RunRequestCheck.Refused refused) {
                problems.add("run " + run.runId() + " of the sweep: " + refused.reason());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        List<String> runIds = runs.stream().map(RunRequest::runId).toList();
        try (KafkaProducer<String, byte[]> producer = kafka.transactionalProducer("sweep." + sweep.sweepId())) {
            producer.initTransactions();
            Optional<SweepRequest> accepted = accepted(sweep.sweepId());
            if (accepted.isPresent()) {
                if (!accepted.get().equals(sweep)) {
                    throw new SweepConflictException("sweep id " + sweep.sweepId() + " is already used by another"
                            + " sweep (other base or grid); choose a new sweep id");
                }
                return new Published(sweep.sweepId(), List.of(), runIds);
            }
            producer.beginTransaction();
            producer.send(record(sweep.sweepId(), JsonRecords.encode(sweep), SweepRequest.RECORD_TYPE));
            for (RunRequest run : runs) {
                producer.send(record(run.runId(), JsonRecords.encode(run), RunRequest.RECORD_TYPE));
            }
            producer.commitTransaction();
            return new Published(sweep.sweepId(), runIds, List.of());
        }
    }

    /** The sweep record already on {@code ptuning.runs} under {@code sweepId} (committed transactions only). */
    private Optional<SweepRequest> accepted(String sweepId) {
        AtomicReference<SweepRequest> found = new AtomicReference<>();
        try (KafkaConsumer<String, byte[]> consumer = kafka.readCommittedConsumer()) {
            TopicScan.fromBeginning(consumer, List.of(Topics.RUNS)).forEach(record -> {
                if (sweepId.equals(record.key()) && RecordTypeHeader.read(record.headers())
                        .filter(SweepRequest.RECORD_TYPE::equals).isPresent()) {
                    found.set(JsonRecords.decode(record.value(), SweepRequest.class,
                            RecordDecodingException.location(record.topic(), record.partition(), record.offset())));
                }
            });
        }
        return Optional.ofNullable(found.get());
    }

    private static ProducerRecord<String, byte[]> record(String key, byte[] value, String type) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RUNS, key, value);
        record.headers().add(RecordTypeHeader.of(type));
        return record;
    }
}
