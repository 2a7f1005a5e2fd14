package io.ptuning.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share groups (KIP-932) on the embedded broker, used the way the trainer's run queue uses them: one record at a time,
 * explicit acknowledgement, the acquisition lock renewed while the record is worked on (KIP-1222).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareGroupTest {

    /** Short locks so a lapse shows within the test; a group may not go below the broker's minimum. */
    static final int LOCK_MS = 2000;

    EmbeddedKafka kafka;

    @BeforeAll
    void start(@TempDir Path dir) {
        kafka = EmbeddedKafka.start(dir, Map.of("group.share.min.record.lock.duration.ms", "1000"));
    }

    @AfterAll
    void stop() {
        kafka.close();
    }

    @Test
    void aRecordWhoseLockIsRenewedGoesToNoOtherMemberAndAReleasedOneGoesToAnother() throws Exception {
        String topic = "share.renewed";
        String group = "share-renewed";
        // One partition: a share group gives a partition to one member until members outnumber partitions.
        prepare(topic, group, 1, List.of("first", "second"));
        try (KafkaShareConsumer<String, String> holder = consumer(group);
                KafkaShareConsumer<String, String> other = consumer(group)) {
            ConsumerRecord<String, String> held = pollOne(holder, Duration.ofSeconds(30));
            assertThat(held.deliveryCount()).contains((short) 1);
            List<String> seenByOther = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * LOCK_MS);
            while (System.nanoTime() < until) {
                holder.acknowledge(held, AcknowledgeType.RENEW);
                holder.commitSync();
                ConsumerRecord<String, String> back = pollOne(holder, Duration.ofSeconds(10));
                assertThat(back.offset()).isEqualTo(held.offset());
                assertThat(back.partition()).isEqualTo(held.partition());
                held = back;
                other.poll(Duration.ofMillis(LOCK_MS / 2)).forEach(r -> {
                    seenByOther.add(r.value());
                    other.acknowledge(r, AcknowledgeType.ACCEPT);
                });
                other.commitSync();
            }
            assertThat(seenByOther).doesNotContain(held.value());
            String heldValue = held.value();
            holder.acknowledge(held, AcknowledgeType.RELEASE);
            holder.commitSync();
            List<ConsumerRecord<String, String>> taken = new ArrayList<>();
            long released = System.nanoTime();
            long deadline = released + TimeUnit.SECONDS.toNanos(20);
            while (taken.stream().noneMatch(r -> r.value().equals(heldValue)) && System.nanoTime() < deadline) {
                other.poll(Duration.ofMillis(200)).forEach(r -> {
                    taken.add(r);
                    other.acknowledge(r, AcknowledgeType.ACCEPT);
                });
                other.commitSync();
            }
            ConsumerRecord<String, String> again = taken.stream()
                    .filter(r -> r.value().equals(heldValue)).findFirst().orElseThrow();
            assertThat(again.deliveryCount()).contains((short) 2);
        }
    }

    @Test
    void aRecordAcceptedAfterItsLockWasRenewedIsNotDeliveredAgain() throws Exception {
        String topic = "share.accepted";
        String group = "share-accepted";
        prepare(topic, group, 1, List.of("once", "waiting"));
        try (KafkaShareConsumer<String, String> holder = consumer(group, topic);
                KafkaShareConsumer<String, String> other = consumer(group, topic)) {
            ConsumerRecord<String, String> held = pollOne(holder, Duration.ofSeconds(30));
            assertThat(held.value()).isEqualTo("once");
            for (int i = 0; i < 2; i++) {
                Thread.sleep(LOCK_MS / 3);
                holder.acknowledge(held, AcknowledgeType.RENEW);
                holder.commitSync();
                held = pollOne(holder, Duration.ofSeconds(10));
                assertThat(held.value()).as("a renewing holder takes nothing new").isEqualTo("once");
            }
            holder.acknowledge(held, AcknowledgeType.ACCEPT);
            var results = holder.commitSync();
            assertThat(results.values()).allSatisfy(error -> assertThat(error).isEmpty());
            List<String> again = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * LOCK_MS);
            while (System.nanoTime() < until) {
                for (var consumer : List.of(holder, other)) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                        again.add(r.value() + "#" + r.deliveryCount().orElse((short) 0));
                        consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    });
                    consumer.commitSync();
                }
            }
            assertThat(again).containsExactly("waiting#1");
        }
    }

    @Test
    void aRecordWhoseHolderVanishesIsDeliveredAgainWhenItsLockLapses() throws Exception {
        String topic = "share.lapsed";
        String group = "share-lapsed";
        prepare(topic, group, 1, List.of("only"));
        KafkaShareConsumer<String, String> vanishing = consumer(group);
        ConsumerRecord<String, String> first = pollOne(vanishing, Duration.ofSeconds(30));
        long took = System.nanoTime();
        try (KafkaShareConsumer<String, String> other = consumer(group)) {
            ConsumerRecord<String, String> again = pollOne(other, Duration.ofSeconds(30));
            long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - took);
            assertThat(again.offset()).isEqualTo(first.offset());
            assertThat(again.deliveryCount()).contains((short) 2);
            assertThat(afterMs).isGreaterThanOrEqualTo(LOCK_MS - 500);
            other.acknowledge(again, AcknowledgeType.ACCEPT);
            other.commitSync();
        } finally {
            // Never acknowledged: without the lapse above the record would have stayed with it.
            vanishing.close(Duration.ZERO);
        }
    }

    private void prepare(String topic, String group, int partitions, Collection<String> values) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    set("share.auto.offset.reset", "earliest"),
                    set("share.record.lock.duration.ms", String.valueOf(LOCK_MS))))).all().get(30, TimeUnit.SECONDS);
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            int partition = 0;
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, partition++ % partitions, value, value)).get();
            }
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private KafkaShareConsumer<String, String> consumer(String group) {
        return consumer(group, group.equals("share-renewed") ? "share.renewed" : "share.lapsed");
    }

    private KafkaShareConsumer<String, String> consumer(String group, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", "explicit");
        props.put("max.poll.records", "1");
        props.put("share.acquire.mode", "record_limit");
        KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static ConsumerRecord<String, String> pollOne(KafkaShareConsumer<String, String> consumer, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                assertThat(records.count()).isEqualTo(1);
                return records.iterator().next();
            }
        }
        throw new AssertionError("no record within " + within);
    }
}
