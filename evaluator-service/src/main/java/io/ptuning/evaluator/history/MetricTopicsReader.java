package io.ptuning.evaluator.history;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.evaluator.scoring.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Reads the metric topics ({@code ptuning.train-metrics}, {@code ptuning.eval-metrics}) from the beginning
 * into {@link RunHistories}, then keeps following them. Not thread-safe: one thread owns a reader.
 */
public final class MetricTopicsReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricTopicsReader.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final RunHistories histories;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private long applied;

    /** The topics must exist (the service creates them at start when missing). */
    public MetricTopicsReader(KafkaClients clients, List<String> topics, RunHistories histories) {
        this.consumer = clients.reader(1 << 20, "evaluator-metric-reader");
        this.histories = histories;
        // A topic created a moment ago (by this service at start) takes a little while to show in metadata.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, List<PartitionInfo>> existing = consumer.listTopics();
        while (!existing.keySet().containsAll(topics) && System.nanoTime() < deadline) {
            sleep(200);
            existing = consumer.listTopics();
        }
        for (String topic : topics) {
            List<PartitionInfo> infos = existing.get(topic);
            if (infos == null) {
                throw new IllegalStateException("metric topic " + topic + " does not exist");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads up to the end offsets as of now; returns the number of events applied. */
    public long catchUp(Duration timeout) throws TimeoutException {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + timeout.toNanos();
        long before = applied;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("metric topics not read back within " + timeout + " (at " + positions() + ", end " + end + ")");
            }
            poll(Duration.ofMillis(200));
        }
        return applied - before;
    }

    /** One poll: applies whatever arrived. */
    public void poll(Duration timeout) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            apply(record);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        try {
            CloudEvent event = MetricEvents.decode(record.value(), location);
            switch (event.getType()) {
                case MetricEvents.TRAIN_STEP -> histories.addTrainStep(MetricEvents.data(event, TrainStep.class, location));
                case MetricEvents.RUN_STATUS -> histories.setStatus(MetricEvents.data(event, RunStatus.class, location));
                case MetricEvents.EVALUATION -> histories.addEvaluation(MetricEvents.data(event, Evaluation.class, location));
                default -> LOG.debugf("%s: ignoring event type %s", location, event.getType());
            }
            applied++;
        } catch (RecordDecodingException e) {
            LOG.warnf("skipping an unreadable metric event: %s", e.getMessage());
        }
    }

    private Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new java.util.HashMap<>();
        partitions.forEach(p -> positions.put(p, consumer.position(p)));
        return positions;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the metric topics", e);
        }
    }

    /** Interrupts a blocking poll from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
