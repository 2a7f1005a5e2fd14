package io.ptuning.contract.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.kafka.embedded.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** TopicScan against a real broker (the contract module cannot start one: kafka-embedded depends on it). */
class TopicScanTest {

    @Test
    void readsEveryPartitionToTheEndOffsetsOfTheMomentTheReadStarts() throws Exception {
        String topic = filled("scan.partitions", 3, 9);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicScan<String, String> scan = TopicScan.fromBeginning(consumer, List.of(topic));
            List<String> first = new ArrayList<>();
            scan.forEach(record -> first.add(record.value()));
            assertThat(scan.partitions()).hasSize(3);
            assertThat(first).containsExactlyInAnyOrder(values(0, 9));

            send(topic, 9, 11);
            List<String> more = new ArrayList<>();
            scan.forEach(record -> more.add(record.value()));
            assertThat(more).containsExactlyInAnyOrder(values(9, 11));
        }
    }

    @Test
    void aReadCommittedScanEndsBeforeAnOpenTransaction() throws Exception {
        String topic = filled("scan.transactions", 1, 3);
        try (KafkaProducer<String, String> open = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "scan-open"))) {
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, "k", "uncommitted")).get();
            try (KafkaConsumer<String, String> consumer = consumer()) {
                List<String> seen = new ArrayList<>();
                TopicScan.fromBeginning(consumer, List.of(topic)).forEach(record -> seen.add(record.value()), Duration.ofSeconds(30));
                assertThat(seen).containsExactly(values(0, 3));
            }
            open.abortTransaction();
        }
    }

    @Test
    void untilStopsAtTheFirstRecordItAccepts() throws Exception {
        String topic = filled("scan.until", 1, 10);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<String> seen = new ArrayList<>();
            boolean stopped = TopicScan.fromBeginning(consumer, List.of(topic)).until(record -> {
                seen.add(record.value());
                return record.value().equals("v3");
            });
            assertThat(stopped).isTrue();
            assertThat(seen).containsExactly("v0", "v1", "v2", "v3");
        }
        try (KafkaConsumer<String, String> consumer = consumer()) {
            assertThat(TopicScan.fromBeginning(consumer, List.of(topic)).until(record -> false)).isFalse();
        }
    }

    @Test
    void aTopicThatDoesNotExistHasNoPartitionsAndStaysAbsent() throws Exception {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            TopicScan<String, String> scan = TopicScan.fromBeginning(consumer, List.of("scan.absent"));
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            scan.forEach(seen::add);
            assertThat(scan.partitions()).isEmpty();
            assertThat(seen).isEmpty();
        }
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain("scan.absent");
        }
    }

    @Test
    void aReadThatOutlastsItsTimeoutSaysWhereItStood() throws Exception {
        String topic = filled("scan.timeout", 1, 3);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            assertThatThrownBy(() -> TopicScan.fromBeginning(consumer, List.of(topic)).forEach(record -> { }, Duration.ZERO))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("[" + topic + "] not read to the end within PT0S")
                    .hasMessageContaining("end {" + topic + "-0=3}");
        }
    }

    /** Creates {@code topic} and sends it records v0 to v(records - 1). */
    private static String filled(String topic, int partitions, int records) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(Set.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        send(topic, 0, records);
        return topic;
    }

    private static void send(String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
    }

    private static String[] values(int from, int to) {
        String[] values = new String[to - from];
        for (int i = from; i < to; i++) {
            values[i - from] = "v" + i;
        }
        return values;
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
    }
}
