package io.ptuning.evaluator.history;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every run's history, in memory only: Kafka is the system of record, and {@link MetricTopicsReader} rebuilds
 * this from the metric topics at start. Listeners hear each new metric once (duplicates are dropped).
 */
public final class RunHistories {

    private final int maxTrainPointsPerRun;
    private final ConcurrentMap<String, RunHistory> runs = new ConcurrentHashMap<>();
    private final List<Consumer<MetricUpdate>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<RunHistory>> newRunListeners = new CopyOnWriteArrayList<>();

    public RunHistories(int maxTrainPointsPerRun) {
        this.maxTrainPointsPerRun = maxTrainPointsPerRun;
    }

    public void onUpdate(Consumer<MetricUpdate> listener) {
        listeners.add(listener);
    }

    public void onNewRun(Consumer<RunHistory> listener) {
        newRunListeners.add(listener);
    }

    /** @return false (and nothing is told) when the run already has an evaluation of this step */
    public boolean addEvaluation(Evaluation evaluation) {
        return addEvaluation(evaluation, System.currentTimeMillis());
    }

    /** @param time when the evaluation was published, in milliseconds since the epoch */
    public boolean addEvaluation(Evaluation evaluation, long time) {
        boolean added = run(evaluation.runId()).addEvaluation(evaluation, time);
        if (added) {
            publish(new MetricUpdate(MetricUpdate.EVAL, evaluation.runId(), evaluation.step(), evaluation, time));
        }
        return added;
    }

    /** Records where the evaluated checkpoint of {@code step} was read, for /api/predict. */
    public void rememberCheckpoint(String runId, long step, CheckpointLocation location) {
        run(runId).rememberCheckpoint(step, location);
    }

    public boolean addTrainStep(TrainStep step) {
        return addTrainStep(step, System.currentTimeMillis());
    }

    /** @param time when the step was published, in milliseconds since the epoch */
    public boolean addTrainStep(TrainStep step, long time) {
        boolean added = run(step.runId()).addTrainStep(step, time);
        if (added) {
            publish(new MetricUpdate(MetricUpdate.TRAIN, step.runId(), step.step(), step, time));
        }
        return added;
    }

    public void setStatus(RunStatus status) {
        setStatus(status, System.currentTimeMillis());
    }

    /** @param time when the status was published, in milliseconds since the epoch */
    public void setStatus(RunStatus status, long time) {
        run(status.runId()).setStatus(status);
        publish(new MetricUpdate(MetricUpdate.STATUS, status.runId(), status.step(), status, time));
    }

    public boolean hasEvaluation(String runId, long step) {
        RunHistory run = runs.get(runId);
        return run != null && run.hasEvaluation(step);
    }

    public Optional<RunHistory> get(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /** All runs, by run id. */
    public List<RunHistory> all() {
        return runs.values().stream().sorted(Comparator.comparing(RunHistory::runId)).toList();
    }

    /** The run whose best evaluation has the highest accuracy. */
    public Optional<RunHistory> bestRun() {
        return runs.values().stream().filter(r -> r.best().isPresent())
                .max(Comparator.comparingDouble((RunHistory r) -> r.best().orElseThrow().accuracy())
                        .thenComparing(RunHistory::runId, Comparator.reverseOrder()));
    }

    private RunHistory run(String runId) {
        RunHistory created = new RunHistory(runId, maxTrainPointsPerRun);
        RunHistory existing = runs.putIfAbsent(runId, created);
        if (existing != null) {
            return existing;
        }
        newRunListeners.forEach(l -> l.accept(created));
        return created;
    }

    private void publish(MetricUpdate update) {
        for (Consumer<MetricUpdate> listener : listeners) {
            listener.accept(update);
        }
    }
}
