package io.ptuning.launcher;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.contract.kafka.TopicScan;
import java.io.PrintStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one run through the metric topics, as a dashboard would: prints training progress and every
 * evaluation while they happen, and keeps what the final report needs.
 */
final class RunFollower implements AutoCloseable {

    private final String runId;
    private final PrintStream out;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<Long, Evaluation> evaluations = new TreeMap<>();
    private final List<TrainStep> steps = new ArrayList<>();
    private OffsetDateTime firstStepTime;
    private OffsetDateTime lastStepTime;
    private RunStatus finalStatus;
    private long lastPrintNanos;

    /** @param client bootstrap servers and, on a secured broker, the login */
    RunFollower(Map<String, Object> client, String runId, PrintStream out) {
        this.runId = runId;
        this.out = out;
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads the metric topics from their beginning until the run has ended and its last checkpoint is scored. */
    void follow(Duration timeout, Runnable healthCheck) {
        TopicScan.fromBeginning(consumer, List.of(Topics.TRAIN_METRICS, Topics.EVAL_METRICS));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!finished()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + runId + " did not finish within " + timeout.toMinutes()
                        + " minutes (last step " + (steps.isEmpty() ? "none" : steps.get(steps.size() - 1).step()) + ")");
            }
            healthCheck.run();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (runId.equals(record.key())) {
                    handle(record);
                }
            }
        }
    }

    private boolean finished() {
        if (finalStatus == null) {
            return false;
        }
        // A failed or cancelled run may leave no last checkpoint to wait for; a completed one always does.
        return finalStatus.state() != RunStatus.State.COMPLETED
                || evaluations.values().stream().anyMatch(Evaluation::last);
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
        CloudEvent event = MetricEvents.decode(record.value(), location);
        switch (event.getType()) {
            case MetricEvents.TRAIN_STEP -> onStep(MetricEvents.data(event, TrainStep.class, location), event.getTime());
            case MetricEvents.EVALUATION -> onEvaluation(MetricEvents.data(event, Evaluation.class, location));
            case MetricEvents.RUN_STATUS -> onStatus(MetricEvents.data(event, RunStatus.class, location));
            default -> { } // other event types are for other consumers
        }
    }

    private void onStep(TrainStep step, OffsetDateTime time) {
        if (!steps.isEmpty() && step.step() <= steps.get(steps.size() - 1).step()) {
            return; // a step reported again after a trainer restart
        }
        steps.add(step);
        firstStepTime = firstStepTime == null ? time : firstStepTime;
        lastStepTime = time;
        long now = System.nanoTime();
        if (now - lastPrintNanos > 10_000_000_000L || step.step() == step.totalSteps()) {
            out.printf("[train] step %5d/%d  epoch %d  loss %.4f  lr %.2e  %.1f examples/s%n", step.step(),
                    step.totalSteps(), step.epoch(), step.loss(), step.learningRate(), step.examplesPerSecond());
            lastPrintNanos = now;
        }
    }

    private void onEvaluation(Evaluation evaluation) {
        if (evaluations.putIfAbsent(evaluation.step(), evaluation) == null) {
            out.printf("[eval]  step %5d: dev accuracy %.4f  loss %.4f  macro-F1 %.4f  (%d examples, %.1f s)%n",
                    evaluation.step(), evaluation.accuracy(), evaluation.loss(), evaluation.macroF1(),
                    evaluation.examples(), evaluation.seconds());
        }
    }

    private void onStatus(RunStatus status) {
        out.printf("[run]   %s %s%s%n", runId, status.state().name().toLowerCase(),
                status.reason() == null || status.reason().isBlank() ? "" : ": " + status.reason());
        if (status.state() == RunStatus.State.COMPLETED || status.state() == RunStatus.State.FAILED
                || status.state() == RunStatus.State.CANCELLED) {
            finalStatus = status;
        }
    }

    RunStatus finalStatus() {
        return finalStatus;
    }

    List<Evaluation> evaluations() {
        return List.copyOf(evaluations.values());
    }

    Evaluation best() {
        return evaluations.values().stream().max(Comparator.comparingDouble(Evaluation::accuracy)).orElse(null);
    }

    /** Seconds between the first and the last step event: training time as the trainer saw it. */
    double trainingSeconds() {
        return firstStepTime == null ? 0 : Duration.between(firstStepTime, lastStepTime).toMillis() / 1000.0;
    }

    double meanExamplesPerSecond() {
        return steps.stream().skip(Math.min(5, steps.size() / 10)) // skip warm-up steps
                .mapToDouble(TrainStep::examplesPerSecond).average().orElse(0);
    }

    long stepsDone() {
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).step(); // TrainStep.step counts steps done
    }

    @Override
    public void close() {
        consumer.close();
    }
}
