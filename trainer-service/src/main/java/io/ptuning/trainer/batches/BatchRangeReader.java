package io.ptuning.trainer.batches;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.trainer.kafka.KafkaClients;
import io.ptuning.training.TrainingBatch;
import io.ptuning.weights.HostTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a run's range of a batch topic into memory: no consumer group ({@code assign} + {@code seek}), read_committed,
 * only records keyed by the run's dataset version. A record that cannot be decoded, or that was made by another
 * tokenizer than the run's model has, goes to the dead-letter topic and fails the run.
 */
public final class BatchRangeReader {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients kafka;
    private final DeadLetterPublisher deadLetters;
    private final long maxBytes;

    public BatchRangeReader(KafkaClients kafka, DeadLetterPublisher deadLetters, long maxBytes) {
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.maxBytes = maxBytes;
    }

    /**
     * @param toOffset exclusive end, or -1 for the topic's end (last stable offset) now
     * @param datasetVersion record key to keep; null keeps every key
     * @param tokenizerFingerprint what each batch's {@code tokenizer_fingerprint} must be
     */
    public BatchRange read(String topic, long fromOffset, long toOffset, String datasetVersion,
            String tokenizerFingerprint, String runId) {
        try (KafkaConsumer<String, byte[]> consumer = kafka.readCommittedConsumer()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                throw new MissingBatchesException("batch topic " + topic + " does not exist: publish the dataset first"
                        + " (tokenizer-service POST /publish/{split})");
            }
            if (partitions.size() != 1) {
                throw new IllegalArgumentException("batch topic " + topic + " has " + partitions.size()
                        + " partitions; a run's offsets name one order, so batch topics have exactly one");
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long to = toOffset < 0 ? end : toOffset;
            if (to > end) {
                throw new MissingBatchesException("range [" + fromOffset + ", " + to + ") of " + topic
                        + " ends after the topic's last committed offset " + end);
            }
            consumer.seek(partition, fromOffset);
            List<TrainingBatch> batches = new ArrayList<>();
            long bytes = 0;
            while (consumer.position(partition) < to) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= to) {
                        break;
                    }
                    if (datasetVersion != null && !datasetVersion.equals(record.key())) {
                        continue;
                    }
                    batches.add(decode(record, tokenizerFingerprint, runId));
                    bytes += record.value().length;
                    if (bytes > maxBytes) {
                        throw new IllegalArgumentException("range [" + fromOffset + ", " + to + ") of " + topic
                                + " holds more than trainer.batch-cache-max-bytes=" + maxBytes
                                + " bytes of batches; train on a smaller range or raise the limit");
                    }
                }
            }
            if (batches.isEmpty()) {
                throw new MissingBatchesException("range [" + fromOffset + ", " + to + ") of " + topic
                        + " holds no committed batch keyed by dataset version " + datasetVersion);
            }
            return new BatchRange(topic, fromOffset, to, batches, bytes);
        }
    }

    private TrainingBatch decode(ConsumerRecord<String, byte[]> record, String tokenizerFingerprint, String runId) {
        EncodedBatch batch;
        try {
            batch = BatchRecordCodec.decode(record.value(), record.topic(), record.partition(), record.offset());
        } catch (RecordDecodingException e) {
            throw poison(record, "undecodable batch record: " + e.getMessage(), runId);
        }
        String madeWith = batch.metadata().tokenizerFingerprint();
        if (!madeWith.equals(tokenizerFingerprint)) {
            throw poison(record, RecordDecodingException.location(record.topic(), record.partition(), record.offset())
                    + ": tokenizer fingerprint " + madeWith + " does not match the run's base model tokenizer "
                    + tokenizerFingerprint + " (tokenizer.json and trainer.tokenizer-max-length must equal the"
                    + " tokenizer-service's)", runId);
        }
        int b = batch.batchSize();
        int t = batch.sequenceLength();
        return new TrainingBatch(
                HostTensor.ofLongs(new long[] {b, t}, batch.inputIds()),
                HostTensor.ofLongs(new long[] {b, t}, batch.attentionMask()),
                HostTensor.ofLongs(new long[] {b}, batch.labels()));
    }

    private PoisonRecordException poison(ConsumerRecord<String, byte[]> record, String reason, String runId) {
        deadLetters.send(record.topic(), record.partition(), record.offset(), record.key(), record.value(), reason, runId);
        return new PoisonRecordException(reason + "; the record is on " + io.ptuning.contract.Topics.deadLetter(record.topic()));
    }

}
