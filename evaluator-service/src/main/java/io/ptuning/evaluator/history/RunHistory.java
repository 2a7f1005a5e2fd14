package io.ptuning.evaluator.history;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What is known about one run: its evaluations by step, its train steps (thinned when long), its last status. */
public final class RunHistory {

    private final String runId;
    private final int maxTrainPoints;
    private final TreeMap<Long, Evaluation> evaluations = new TreeMap<>();
    private final TreeMap<Long, TrainStep> trainSteps = new TreeMap<>();
    private final TreeMap<Long, Long> evaluationTimes = new TreeMap<>();
    private final TreeMap<Long, Long> trainTimes = new TreeMap<>();
    private final TreeMap<Long, CheckpointLocation> checkpoints = new TreeMap<>();
    private RunStatus status;
    private Map<String, String> params = Map.of();
    private long trainStepsSeen;

    RunHistory(String runId, int maxTrainPoints) {
        this.runId = runId;
        this.maxTrainPoints = maxTrainPoints;
    }

    public String runId() {
        return runId;
    }

    /** @return false when this step already has an evaluation (a duplicate) */
    synchronized boolean addEvaluation(Evaluation evaluation, long time) {
        if (evaluations.putIfAbsent(evaluation.step(), evaluation) != null) {
            return false;
        }
        evaluationTimes.put(evaluation.step(), time);
        return true;
    }

    synchronized void rememberCheckpoint(long step, CheckpointLocation location) {
        checkpoints.put(step, location);
    }

    synchronized boolean addTrainStep(TrainStep step, long time) {
        if (trainSteps.containsKey(step.step())) {
            return false;
        }
        trainSteps.put(step.step(), step);
        trainTimes.put(step.step(), time);
        trainStepsSeen++;
        if (trainSteps.size() > maxTrainPoints) {
            // Keep the curve's shape, not every point: drop every other one, always keeping the latest.
            Iterator<Long> steps = trainSteps.keySet().iterator();
            int i = 0;
            long last = trainSteps.lastKey();
            while (steps.hasNext()) {
                long s = steps.next();
                if (i++ % 2 == 1 && s != last) {
                    steps.remove();
                    trainTimes.remove(s);
                }
            }
        }
        return true;
    }

    synchronized void setStatus(RunStatus status) {
        this.status = status;
        if (!status.params().isEmpty()) {
            params = status.params();
        }
    }

    /** The hyper-parameters the trainer announced when the run started or resumed; empty until then. */
    public synchronized Map<String, String> params() {
        return params;
    }

    /** The kept train steps as columns, with the time each was published. */
    public synchronized TrainCurve trainCurve() {
        int n = trainSteps.size();
        long[] step = new long[n];
        double[] loss = new double[n];
        double[] examplesPerSecond = new double[n];
        long[] time = new long[n];
        int i = 0;
        for (TrainStep s : trainSteps.values()) {
            step[i] = s.step();
            loss[i] = s.loss();
            examplesPerSecond[i] = s.examplesPerSecond();
            time[i] = trainTimes.get(s.step());
            i++;
        }
        long totalSteps = trainSteps.isEmpty() ? 0 : trainSteps.lastEntry().getValue().totalSteps();
        return new TrainCurve(totalSteps, step, loss, examplesPerSecond, time);
    }

    /** When each evaluation was published, by step, in milliseconds since the epoch. */
    public synchronized List<Long> evaluationTimes() {
        return new ArrayList<>(evaluationTimes.values());
    }

    public synchronized boolean hasEvaluation(long step) {
        return evaluations.containsKey(step);
    }

    public synchronized List<Evaluation> evaluations() {
        return new ArrayList<>(evaluations.values());
    }

    public synchronized List<TrainStep> trainSteps() {
        return new ArrayList<>(trainSteps.values());
    }

    public synchronized long trainStepsSeen() {
        return trainStepsSeen;
    }

    public synchronized Optional<RunStatus> status() {
        return Optional.ofNullable(status);
    }

    public synchronized Optional<Evaluation> latest() {
        return evaluations.isEmpty() ? Optional.empty() : Optional.of(evaluations.lastEntry().getValue());
    }

    /** The evaluation with the highest accuracy; the earliest step wins a tie. */
    public synchronized Optional<Evaluation> best() {
        Evaluation best = null;
        for (Evaluation e : evaluations.values()) {
            if (best == null || e.accuracy() > best.accuracy()) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Where the checkpoint of {@code step} was read, if this process read it. */
    public synchronized Optional<CheckpointLocation> checkpoint(long step) {
        return Optional.ofNullable(checkpoints.get(step));
    }
}
