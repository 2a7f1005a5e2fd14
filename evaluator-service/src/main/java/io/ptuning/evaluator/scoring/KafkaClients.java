package io.ptuning.evaluator.scoring;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Plain consumers for reading topics from the beginning (validation batches, metric replays, checkpoints). */
public final class KafkaClients {

    private KafkaClients() {
    }

    /** A consumer without a group: the caller assigns partitions and seeks; reads committed records only. */
    public static KafkaConsumer<String, byte[]> reader(String bootstrapServers, int maxMessageBytes, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", clientId);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", false);
        props.put("allow.auto.create.topics", false);
        props.put("max.partition.fetch.bytes", maxMessageBytes);
        props.put("fetch.max.bytes", Math.max(maxMessageBytes, 52_428_800));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
