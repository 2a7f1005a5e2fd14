package io.ptuning.evaluator.history;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.contract.kafka.TopicScan;
import io.ptuning.evaluator.scoring.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.jboss.logging.Logger;

/**
 * Reads the metric topics ({@code ptuning.train-metrics}, {@code ptuning.eval-metrics}) from the beginning
 * into {@link RunHistories}, then keeps following them. Not thread-safe: one thread owns a reader.
 */
public final class MetricTopicsReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricTopicsReader.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final RunHistories histories;
    private final TopicScan<String, byte[]> scan;
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
            if (!existing.containsKey(topic)) {
                throw new IllegalStateException("metric topic " + topic + " does not exist");
            }
        }
        this.scan = TopicScan.fromBeginning(consumer, topics);
    }

    /**
     * Reads up to the end offsets as of now; returns the number of events applied. Kafka's
     * {@link org.apache.kafka.common.errors.TimeoutException} when that takes longer than {@code timeout}.
     */
    public long catchUp(Duration timeout) {
        long before = applied;
        scan.forEach(this::apply, timeout);
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
            long time = event.getTime() != null ? event.getTime().toInstant().toEpochMilli() : record.timestamp();
            switch (event.getType()) {
                case MetricEvents.TRAIN_STEP -> histories.addTrainStep(MetricEvents.data(event, TrainStep.class, location), time);
                case MetricEvents.RUN_STATUS -> histories.setStatus(MetricEvents.data(event, RunStatus.class, location), time);
                case MetricEvents.EVALUATION -> histories.addEvaluation(MetricEvents.data(event, Evaluation.class, location), time);
                default -> LOG.debugf("%s: ignoring event type %s", location, event.getType());
            }
            applied++;
        } catch (RecordDecodingException e) {
            LOG.warnf("skipping an unreadable metric event: %s", e.getMessage());
        }
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
