package io.ptuning.evaluator.scoring;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Plain clients for reading topics from the beginning (validation batches, metric replays, checkpoints),
 * connected and authenticated like the service's messaging channels (the {@code kafka.*} configuration).
 */
public final class KafkaClients {

    private final Map<String, Object> connection;

    public KafkaClients(Map<String, Object> connection) {
        this.connection = Map.copyOf(connection);
    }

    /** Clients for a broker without security, as tests use. */
    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(Map.of("bootstrap.servers", bootstrapServers));
    }

    /** A consumer without a group: the caller assigns partitions and seeks; reads committed records only. */
    public KafkaConsumer<String, byte[]> reader(int maxMessageBytes, String clientId) {
        Map<String, Object> props = new HashMap<>(connection);
        props.put("client.id", clientId);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", false);
        props.put("allow.auto.create.topics", false);
        props.put("max.partition.fetch.bytes", maxMessageBytes);
        props.put("fetch.max.bytes", Math.max(maxMessageBytes, 52_428_800));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** An idempotent producer waiting for all replicas: run controls to {@code ptuning.runs}. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        Map<String, Object> props = new HashMap<>(connection);
        props.put("client.id", clientId);
        props.put("enable.idempotence", true);
        props.put("acks", "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public Admin admin() {
        return Admin.create(new HashMap<>(connection));
    }

    public String bootstrapServers() {
        return String.valueOf(connection.get("bootstrap.servers"));
    }
}
