package io.ptuning.trainer.kafka;

import io.ptuning.trainer.run.RunSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The trainer's Kafka clients, all with the same size limit: producers' {@code max.request.size} and consumers'
 * {@code max.partition.fetch.bytes}/{@code fetch.max.bytes} equal the topics' {@code max.message.bytes}.
 */
public final class KafkaClients {

    private final RunSettings settings;

    public KafkaClients(RunSettings settings) {
        this.settings = settings;
    }

    public RunSettings settings() {
        return settings;
    }

    /** Idempotent, not transactional: metric events, dead letters, run requests from the REST API. */
    public KafkaProducer<String, byte[]> producer() {
        Map<String, Object> props = producerProps();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The producer of one run's checkpoints and state: transactional id = prefix + run id, so a restarted trainer's
     * {@code initTransactions()} fences a zombie of the same run and aborts its open transaction.
     */
    public KafkaProducer<String, byte[]> transactionalProducer(String runId) {
        Map<String, Object> props = producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalIdPrefix() + runId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Without a group: callers {@code assign} and {@code seek}; sees committed transactions only. Asking for a topic
     * that does not exist never creates it (a check at the door must not make the topic it looks for).
     */
    public KafkaConsumer<String, byte[]> readCommittedConsumer() {
        Map<String, Object> props = new HashMap<>(settings.kafka());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, settings.maxMessageBytes());
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, settings.maxMessageBytes());
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A member of the share group {@code group} that takes one record per poll and acknowledges each explicitly
     * (ACCEPT, RELEASE, or RENEW to keep its acquisition lock while it works on it).
     */
    public KafkaShareConsumer<String, byte[]> shareConsumer(String group) {
        Map<String, Object> props = new HashMap<>(settings.kafka());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // batch_optimized (the default) may return a whole batch beyond max.poll.records: one record, one run.
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, settings.maxMessageBytes());
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, settings.maxMessageBytes());
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>(settings.kafka());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxMessageBytes());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return props;
    }
}
