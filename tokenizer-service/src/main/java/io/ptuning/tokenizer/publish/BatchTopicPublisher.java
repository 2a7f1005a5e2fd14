package io.ptuning.tokenizer.publish;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicCreator;
import io.ptuning.contract.kafka.TopicScan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a prepared split to {@code <dataset>.batches.<split>} in ONE Kafka transaction: a read_committed
 * consumer sees all batches of a version or none, so a failed or killed publish leaves nothing visible.
 * There is no separate completion marker: a committed record keyed by a version means the whole version is there.
 *
 * <p>A version already on the topic is not sent again. The check runs after {@code initTransactions()}, which
 * fences any other publisher of the same topic (same transactional id) and settles its open transaction, so two
 * publishes of one version never both send.
 */
public final class BatchTopicPublisher {

    private final Map<String, Object> kafka;
    private final KafkaSettings settings;

    /** {@code kafka}: client properties, at least {@code bootstrap.servers}. */
    public BatchTopicPublisher(Map<String, Object> kafka, KafkaSettings settings) {
        this.kafka = Map.copyOf(kafka);
        this.settings = settings;
    }

    /** Sends every batch of {@code split} and commits; returns false, sending nothing, if the version is on the topic. */
    public boolean publish(PreparedSplit split, PublishProgress progress) {
        String topic = split.topic();
        ensureTopic(topic);
        try (KafkaProducer<String, byte[]> producer = producer(topic)) {
            producer.initTransactions();
            if (contains(topic, split.version())) {
                return false;
            }
            producer.beginTransaction();
            try {
                List<Future<RecordMetadata>> sent = new ArrayList<>(split.batches().size());
                for (int i = 0; i < split.batches().size(); i++) {
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, 0, split.version(),
                            BatchRecordCodec.encode(split.record(i)));
                    record.headers().add(RecordTypeHeader.of(BatchRecordCodec.RECORD_TYPE));
                    sent.add(producer.send(record));
                    progress.sent(1);
                }
                producer.commitTransaction();
                for (Future<RecordMetadata> ack : sent) {
                    ack.get(); // all acknowledged once the commit returned; this surfaces a per-record error
                }
            } catch (KafkaException | InterruptedException | ExecutionException e) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException abortFailed) {
                    e.addSuppressed(abortFailed);
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("publishing " + split.batches().size() + " batches of version "
                        + split.version() + " to " + topic + " failed and was rolled back: " + e.getMessage(), e);
            }
            return true;
        }
    }

    /** True if a committed record on {@code topic} is keyed by {@code version}. Scans the topic from the start. */
    public boolean contains(String topic, String version) {
        return scan(topic, Optional.of(version)).containsKey(version);
    }

    /** Committed records per version on {@code topic}. */
    public Map<String, Long> versions(String topic) {
        return scan(topic, Optional.empty());
    }

    private Map<String, Long> scan(String topic, Optional<String> stopAt) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, settings.maxMessageBytes());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Long> counts = new HashMap<>();
        try (KafkaConsumer<String, Void> consumer = new KafkaConsumer<>(props, new StringDeserializer(), ignoreValue())) {
            TopicScan.fromBeginning(consumer, List.of(topic)).until(record -> {
                if (record.key() != null) {
                    counts.merge(record.key(), 1L, Long::sum);
                }
                return stopAt.isPresent() && stopAt.get().equals(record.key());
            });
        }
        return counts;
    }

    /** Creates the batch topic as the {@link TopicCatalog} lists it, or brings an existing one to its configs. */
    private void ensureTopic(String topic) {
        try (Admin admin = Admin.create(kafka)) {
            new TopicCreator(admin, String.valueOf(kafka.get("bootstrap.servers")), settings.replicationFactor())
                    .ensure(List.of(TopicCatalog.batches(topic)));
        }
    }

    private KafkaProducer<String, byte[]> producer(String topic) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalIdPrefix() + topic);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxMessageBytes());
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static Deserializer<Void> ignoreValue() {
        return (topic, data) -> null;
    }

    /**
     * Producer limits. {@code maxMessageBytes} is used for the producer's {@code max.request.size} and the scanning
     * consumer's fetch size, so the two agree; the topic's {@code max.message.bytes} is the {@link TopicCatalog}'s.
     */
    public record KafkaSettings(int maxMessageBytes, short replicationFactor, Duration transactionTimeout,
            String transactionalIdPrefix) {
    }
}
