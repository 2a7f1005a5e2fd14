package io.ptuning.launcher;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.weights.SafetensorsFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What one run left on the pipeline's topics, read as a dashboard reads them (committed records only). */
final class TopicRecords {

    private final String bootstrap;

    TopicRecords(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    List<SafetensorsFile> checkpoints(String runId) {
        return read(Topics.CHECKPOINTS, runId).stream()
                .map(r -> SafetensorsFile.decode(r.value(), "checkpoint of " + runId + " at offset " + r.offset()))
                .toList();
    }

    List<TrainStep> steps(String runId) {
        return events(runId, MetricEvents.TRAIN_STEP, TrainStep.class);
    }

    List<RunStatus> statuses(String runId) {
        return events(runId, MetricEvents.RUN_STATUS, RunStatus.class);
    }

    /** Waits until the run announced that it completed or failed, and returns that status. */
    RunStatus awaitEnd(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RunStatus> end = statuses(runId).stream()
                    .filter(s -> s.state() == RunStatus.State.COMPLETED || s.state() == RunStatus.State.FAILED)
                    .findFirst();
            if (end.isPresent()) {
                return end.get();
            }
            Thread.sleep(300);
        }
        throw new AssertionError("run " + runId + " did not end within " + timeout.toSeconds() + " s; statuses: "
                + statuses(runId));
    }

    private <T> List<T> events(String runId, String type, Class<T> data) {
        List<T> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : read(Topics.TRAIN_METRICS, runId)) {
            CloudEvent event = MetricEvents.decode(record.value(), "train-metrics@" + record.offset());
            if (event.getType().equals(type)) {
                found.add(MetricEvents.data(event, data, "train-metrics@" + record.offset()));
            }
        }
        return found;
    }

    /** Every committed record of {@code topic} keyed {@code key}, from the beginning to the current end. */
    List<ConsumerRecord<String, byte[]>> read(String topic, String key) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
