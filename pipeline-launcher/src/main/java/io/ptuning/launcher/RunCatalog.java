package io.ptuning.launcher;

import io.cloudevents.CloudEvent;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.contract.kafka.TopicScan;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The runs a broker holds, read from the records themselves (Kafka is the system of record): every run request on
 * {@code ptuning.runs}, its latest status on {@code ptuning.train-metrics} and its best evaluation on
 * {@code ptuning.eval-metrics}. A request the trainer refused at the door (on {@code ptuning.runs.dlq}) is no run.
 */
final class RunCatalog {

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);
    private static final Set<RunStatus.State> ENDED = Set.of(RunStatus.State.COMPLETED, RunStatus.State.FAILED,
            RunStatus.State.CANCELLED);

    /**
     * One run as the records tell it.
     *
     * @param status its latest status, or null when no trainer has taken it yet
     * @param best its best evaluation so far, or null
     * @param steps the last step a trainer reported (0 before the first)
     */
    record Run(RunRequest request, RunStatus status, Evaluation best, long steps) {

        String runId() {
            return request.runId();
        }

        boolean ended() {
            return status != null && ENDED.contains(status.state());
        }

        String state() {
            return status == null ? "pending" : status.state().name().toLowerCase();
        }
    }

    private final Map<String, Run> runs;

    private RunCatalog(Map<String, Run> runs) {
        this.runs = runs;
    }

    /** Reads the runs with {@code client} (bootstrap servers and login), in the order they were requested. */
    static RunCatalog read(Map<String, Object> client) {
        Map<String, RunRequest> requests = new LinkedHashMap<>();
        Map<String, RunStatus> statuses = new LinkedHashMap<>();
        Map<String, Evaluation> best = new LinkedHashMap<>();
        Map<String, Long> steps = new LinkedHashMap<>();
        Set<String> refused = new HashSet<>();
        Properties properties = new Properties();
        properties.putAll(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicScan.fromBeginning(consumer, List.of(Topics.RUNS, Topics.deadLetter(Topics.RUNS), Topics.TRAIN_METRICS,
                    Topics.EVAL_METRICS)).forEach(record -> {
                        String location = RecordDecodingException.location(record.topic(), record.partition(),
                                record.offset());
                        try {
                            if (record.topic().equals(Topics.RUNS)) {
                                if (RecordTypeHeader.read(record.headers()).orElse(RunRequest.RECORD_TYPE)
                                        .equals(RunRequest.RECORD_TYPE)) {
                                    RunRequest request = JsonRecords.decode(record.value(), RunRequest.class, location);
                                    requests.putIfAbsent(request.runId(), request);
                                }
                            } else if (record.topic().equals(Topics.deadLetter(Topics.RUNS))) {
                                if (record.key() != null) {
                                    refused.add(record.key());
                                }
                            } else {
                                onMetric(record, location, statuses, best, steps);
                            }
                        } catch (RecordDecodingException unreadable) {
                            // a record nobody could train or show: the trainer dead-lettered it, it is no run
                        }
                    }, READ_TIMEOUT);
        }
        Map<String, Run> runs = new LinkedHashMap<>();
        requests.forEach((id, request) -> {
            if (!refused.contains(id) || statuses.containsKey(id)) {
                runs.put(id, new Run(request, statuses.get(id), best.get(id), steps.getOrDefault(id, 0L)));
            }
        });
        return new RunCatalog(runs);
    }

    private static void onMetric(ConsumerRecord<String, byte[]> record, String location, Map<String, RunStatus> statuses,
            Map<String, Evaluation> best, Map<String, Long> steps) {
        CloudEvent event = MetricEvents.decode(record.value(), location);
        switch (event.getType()) {
            case MetricEvents.RUN_STATUS -> {
                RunStatus status = MetricEvents.data(event, RunStatus.class, location);
                RunStatus before = statuses.get(status.runId());
                if (before == null || !ENDED.contains(before.state()) || ENDED.contains(status.state())) {
                    statuses.put(status.runId(), status);
                }
            }
            case MetricEvents.EVALUATION -> {
                Evaluation evaluation = MetricEvents.data(event, Evaluation.class, location);
                best.merge(evaluation.runId(), evaluation, (a, b) -> b.accuracy() > a.accuracy() ? b : a);
            }
            case MetricEvents.TRAIN_STEP -> steps.merge(record.key(), MetricEvents.data(event,
                    io.ptuning.contract.TrainStep.class, location).step(), Math::max);
            default -> { } // other event types are for other readers
        }
    }

    List<Run> runs() {
        return List.copyOf(runs.values());
    }

    Optional<Run> get(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /** The run requested last that has not ended: the one a command without {@code --run-id} resumes. */
    Optional<Run> lastUnfinished() {
        List<Run> unfinished = runs.values().stream().filter(run -> !run.ended()).toList();
        return unfinished.isEmpty() ? Optional.empty() : Optional.of(unfinished.get(unfinished.size() - 1));
    }

    /** One line per run: id, state, steps, best dev accuracy. */
    void print(PrintStream out, String phase) {
        if (runs.isEmpty()) {
            return;
        }
        out.printf("[%s] %d run(s) in this folder:%n", phase, runs.size());
        for (Run run : runs.values()) {
            out.printf("[%s]   %-28s %-10s %6d steps  %s%n", phase, run.runId(), run.state(), run.steps(),
                    run.best() == null ? "not evaluated" : String.format("best dev accuracy %.4f at step %d",
                            run.best().accuracy(), run.best().step()));
        }
    }
}
