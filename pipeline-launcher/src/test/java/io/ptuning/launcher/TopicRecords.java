package io.ptuning.launcher;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.kafka.embedded.CommittedRecords;
import io.ptuning.weights.SafetensorsFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What one run left on the pipeline's topics, read as a dashboard reads them (committed records only). */
final class TopicRecords {

    private final Map<String, Object> client;

    TopicRecords(String bootstrap) {
        this(Map.of("bootstrap.servers", bootstrap));
    }

    /** Reading with {@code client}: bootstrap servers and, on a secured broker, the login. */
    TopicRecords(Map<String, Object> client) {
        this.client = Map.copyOf(client);
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

    /** The run's announcement that it completed, failed or was cancelled, if it made one yet. */
    Optional<RunStatus> ends(String runId) {
        return statuses(runId).stream()
                .filter(s -> s.state() == RunStatus.State.COMPLETED || s.state() == RunStatus.State.FAILED
                        || s.state() == RunStatus.State.CANCELLED)
                .findFirst();
    }

    /** Waits until the run announced that it completed, failed or was cancelled, and returns that status. */
    RunStatus awaitEnd(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RunStatus> end = ends(runId);
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

    private List<ConsumerRecord<String, byte[]>> read(String topic, String key) {
        return CommittedRecords.read(client, topic, key);
    }
}
