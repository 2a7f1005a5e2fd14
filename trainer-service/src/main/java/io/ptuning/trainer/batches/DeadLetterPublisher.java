package io.ptuning.trainer.batches;

import io.ptuning.contract.Topics;
import io.ptuning.trainer.kafka.TopicSetup;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Sends a record the trainer cannot use, with its original key and bytes, to {@code <topic>.dlq}; headers say why
 * and where it came from, so a person can find, fix and re-publish it.
 */
public final class DeadLetterPublisher {

    public static final String REASON = "ptuning.dlq.reason";
    public static final String SOURCE_TOPIC = "ptuning.dlq.topic";
    public static final String SOURCE_PARTITION = "ptuning.dlq.partition";
    public static final String SOURCE_OFFSET = "ptuning.dlq.offset";
    public static final String RUN_ID = "ptuning.dlq.run-id";

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
        Headers headers = record.headers();
        headers.add(REASON, utf8(reason));
        headers.add(SOURCE_TOPIC, utf8(topic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
        if (runId != null) {
            headers.add(RUN_ID, utf8(runId));
        }
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

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
