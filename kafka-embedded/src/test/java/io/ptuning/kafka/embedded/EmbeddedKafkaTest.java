package io.ptuning.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.kafka.TopicScan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void aProducedRecordIsConsumedBack() throws Exception {
        String topic = "embedded.plain";
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, "key-1", "hello broker")).get();
        }
        List<ConsumerRecord<String, String>> records = readAll(topic, "read_uncommitted");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("key-1");
        assertThat(records.get(0).value()).isEqualTo("hello broker");
    }

    @Test
    void readCommittedConsumersSeeOnlyCommittedTransactions() throws Exception {
        String topic = "embedded.transactions";
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-test-tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "v", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "v", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "v", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "v", "committed-2"));
            producer.commitTransaction();
        }
        List<String> committed = readAll(topic, "read_committed").stream().map(ConsumerRecord::value).toList();
        assertThat(committed).containsExactly("committed-1", "committed-2");
        List<String> uncommitted = readAll(topic, "read_uncommitted").stream().map(ConsumerRecord::value).toList();
        assertThat(uncommitted).containsExactly("aborted-1", "aborted-2", "committed-1", "committed-2");
    }

    @Test
    void acceptsRecordsOfTwelveMegabytes() throws Exception {
        String topic = "embedded.large";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(EmbeddedKafka.MAX_MESSAGE_BYTES))))).all().get();
        }
        byte[] value = new byte[12 * 1024 * 1024];
        value[value.length - 1] = 42;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EmbeddedKafka.MAX_MESSAGE_BYTES);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, value)).get();
            assertThat(sent.serializedValueSize()).isEqualTo(value.length);
        }
        Properties consumerProps = consumerProps("read_uncommitted");
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, EmbeddedKafka.MAX_MESSAGE_BYTES);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            byte[] received = null;
            long deadline = System.currentTimeMillis() + 30_000;
            while (received == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    received = record.value();
                }
            }
            assertThat(received).hasSize(value.length);
            assertThat(received[value.length - 1]).isEqualTo((byte) 42);
        }
    }

    @Test
    void aRestartedBrokerKeepsItsTopics(@TempDir Path dir) throws Exception {
        String topic = "embedded.restart";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir);
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            producer.send(new ProducerRecord<>(topic, "k", "before restart")).get();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            List<ConsumerRecord<String, String>> records = readAll(kafka.bootstrapServers(), topic, "read_uncommitted");
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("before restart");
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static Properties consumerProps(String isolation) {
        return consumerProps(SharedKafka.bootstrapServers(), isolation);
    }

    private static Properties consumerProps(String bootstrap, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, String isolation) {
        return readAll(SharedKafka.bootstrapServers(), topic, isolation);
    }

    /** Reads the topic from the start up to the end offsets it has when the read starts. */
    private static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, String isolation) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                consumerProps(bootstrap, isolation), new StringDeserializer(), new StringDeserializer())) {
            TopicScan.fromBeginning(consumer, List.of(topic)).forEach(records::add, Duration.ofSeconds(30));
        }
        return records;
    }
}
