package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.CommittedRecords;
import io.ptuning.kafka.embedded.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the tests do on the broker as the other services would: publish records, read whole topics back. */
final class Topics {

    private Topics() {
    }

    static void send(String topic, String key, byte[] value) {
        sendAll(topic, List.of(Map.entry(key, value)));
    }

    static void sendAll(String topic, List<Map.Entry<String, byte[]>> records) {
        Map<String, Object> props = Map.of("bootstrap.servers", SharedKafka.bootstrapServers(),
                "max.request.size", 16 * 1024 * 1024, "acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> record : records) {
                producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue()));
            }
            producer.flush();
        }
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return CommittedRecords.read(SharedKafka.bootstrapServers(), topic, null);
    }

    /** Polls {@code topic} until a record matches, failing after {@code timeout}. */
    static ConsumerRecord<String, byte[]> await(String topic, Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : readAll(topic)) {
                if (match.test(record)) {
                    return record;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout);
    }
}
