package io.ptuning.trainer.batches;

import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.trainer.kafka.TopicSetup;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a record the trainer cannot use, with its original key and bytes, to {@code <topic>.dlq}; the
 * {@link DeadLetterHeaders} say why, where it came from and which run met it.
 */
public final class DeadLetterPublisher {

    private final Producer<String, byte[]> producer;
    private final TopicSetup topics;

    public DeadLetterPublisher(Producer<String, byte[]> producer, TopicSetup topics) {
        this.producer = producer;
        this.topics = topics;
    }

    /** Sends and waits for the broker's acknowledgement: the record must be safe before the run fails. */
    public void send(String topic, int partition, long offset, String key, byte[] value, String reason, String runId) {
        String deadLetter = Topics.deadLetter(topic);
        topics.ensureDeadLetterTopic(topic);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(deadLetter, key, value);
        DeadLetterHeaders.add(record.headers(), reason, topic, partition, offset, runId);
        try {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send " + topic + "-" + partition + "@" + offset + " to " + deadLetter
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending a dead letter to " + deadLetter, e);
        }
    }
}
