package io.ptuning.kafka.embedded;

import io.ptuning.contract.kafka.TopicScan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a topic holds now, as a {@code read_committed} consumer sees it: for tests that check what services wrote. */
public final class CommittedRecords {

    private CommittedRecords() {}

    /**
     * Every committed record of {@code topic} keyed {@code key} (null: all keys), from the beginning to the end;
     * none when the topic does not exist (reading it does not create it).
     */
    public static List<ConsumerRecord<String, byte[]>> read(String bootstrapServers, String topic, String key) {
        return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, key);
    }

    /** As {@link #read(String, String, String)}, logging in with {@code client} (bootstrap servers and security). */
    public static List<ConsumerRecord<String, byte[]>> read(Map<String, Object> client, String topic, String key) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        Map<String, Object> props = new java.util.HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicScan.fromBeginning(consumer, List.of(topic)).forEach(record -> {
                if (key == null || key.equals(record.key())) {
                    found.add(record);
                }
            });
        }
        return found;
    }
}
