package io.ptuning.trainer;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.weights.SafetensorsFile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What a run left on Kafka: its checkpoints and its training-metric events. */
public final class RunRecords {

    private RunRecords() {}

    /** A request over the whole synthetic topic: prefix psl 4, lr 0.1 (the tiny model learns fast). */
    public static RunRequest request(String runId, String topic, int epochs, int checkpointEvery, Map<String, String> more) {
        Map<String, String> overrides = new TreeMap<>(Map.of("psl", "4", "lr", "0.1", "epochs", Integer.toString(epochs)));
        overrides.putAll(more);
        return RunRequest.of(runId, "ptv2", overrides, TinyModel.NAME, topic, BatchTopics.VERSION)
                .withBudget(checkpointEvery, 0).withDevice("cpu");
    }

    public static List<SafetensorsFile> checkpoints(String runId, int atLeast) {
        return BatchTopics.read(Topics.CHECKPOINTS, runId, atLeast).stream()
                .map(r -> SafetensorsFile.decode(r.value(), "checkpoint of " + runId))
                .toList();
    }

    public static CheckpointMetadata metadata(SafetensorsFile checkpoint) {
        return CheckpointMetadata.from(checkpoint.metadata(), "checkpoint");
    }

    /** The checkpoint's bytes with the run id it is named by replaced: what two runs of one request must share. */
    public static byte[] withoutRunId(SafetensorsFile checkpoint) {
        Map<String, String> metadata = new TreeMap<>(checkpoint.metadata());
        metadata.put("run_id", "-");
        return new SafetensorsFile(checkpoint.tensors(), metadata).encode();
    }

    public static List<TrainStep> steps(String runId) {
        return events(runId).stream()
                .filter(e -> e.getType().equals(MetricEvents.TRAIN_STEP))
                .map(e -> MetricEvents.data(e, TrainStep.class, "train-metrics"))
                .toList();
    }

    public static List<RunStatus> statuses(String runId) {
        return events(runId).stream()
                .filter(e -> e.getType().equals(MetricEvents.RUN_STATUS))
                .map(e -> MetricEvents.data(e, RunStatus.class, "train-metrics"))
                .toList();
    }

    /** Waits (up to 120 s) until the run announced it completed, failed or was cancelled, and returns that status. */
    public static RunStatus awaitEnd(String runId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RunStatus> end = statuses(runId).stream()
                    .filter(s -> s.state() == RunStatus.State.COMPLETED || s.state() == RunStatus.State.FAILED
                            || s.state() == RunStatus.State.CANCELLED)
                    .findFirst();
            if (end.isPresent()) {
                return end.get();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("run " + runId + " did not end within 120 s; statuses: " + statuses(runId));
    }

    private static List<CloudEvent> events(String runId) {
        List<ConsumerRecord<String, byte[]>> records = BatchTopics.read(Topics.TRAIN_METRICS, runId, 0);
        return records.stream().map(r -> MetricEvents.decode(r.value(), "train-metrics@" + r.offset())).toList();
    }
}
