package io.ptuning.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Epochs over a fixed list of batches: the order of epoch e is a shuffle seeded by (seed, e), so the
 * whole run is a function of the batches and the config. Listeners see every step and checkpoint
 * moments (every K steps and each epoch end). A run can start at any step: that is how a restarted
 * trainer resumes, and it then takes exactly the steps an uninterrupted run takes.
 */
public final class TrainingLoop {

    /** What a caller does with steps and checkpoints (publish metrics, write files). */
    public interface Listener {
        void onStep(PromptTrainer.StepResult result, int epoch, int batchSize);

        /** @param last true for the run's final checkpoint */
        void onCheckpoint(long stepsDone, int epoch, boolean last);
    }

    private final List<TrainingBatch> batches;
    private final TrainingConfig config;
    private final long maxSteps;
    private final int checkpointEvery;
    private int orderedEpoch = -1;
    private List<TrainingBatch> order;

    /**
     * @param maxSteps stop after this many steps in all (a budget); 0 for all epochs
     * @param checkpointEvery call {@link Listener#onCheckpoint} every this many steps; 0 for epoch ends only
     */
    public TrainingLoop(List<TrainingBatch> batches, TrainingConfig config, long maxSteps, int checkpointEvery) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("no batches to train on");
        }
        this.batches = List.copyOf(batches);
        this.config = config;
        this.maxSteps = maxSteps;
        this.checkpointEvery = checkpointEvery;
    }

    /** Steps of the whole run: all epochs, capped by the budget. The learning-rate schedule spans these. */
    public long totalSteps() {
        long all = (long) batches.size() * config.epochs();
        return maxSteps > 0 ? Math.min(all, maxSteps) : all;
    }

    /** The epochs {@link #totalSteps()} reaches into: fewer than the config's when the budget ends the run early. */
    public int epochsCovered() {
        return (int) ((totalSteps() + batches.size() - 1) / batches.size());
    }

    /** The batch order of {@code epoch}. */
    public List<TrainingBatch> epochOrder(int epoch) {
        List<TrainingBatch> order = new ArrayList<>(batches);
        Collections.shuffle(order, new Random(31L * config.seed() + epoch));
        return order;
    }

    /** Runs from {@code trainer.stepsDone()} to {@link #totalSteps()}; returns early if interrupted. */
    public void run(PromptTrainer trainer, Listener listener) {
        long total = totalSteps();
        while (trainer.stepsDone() < total) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            long step = trainer.stepsDone();
            int epoch = (int) (step / batches.size());
            if (epoch != orderedEpoch) {
                order = epochOrder(epoch);
                orderedEpoch = epoch;
            }
            TrainingBatch batch = order.get((int) (step % batches.size()));
            listener.onStep(trainer.step(batch), epoch, batch.size());
            long done = trainer.stepsDone();
            boolean epochEnd = done % batches.size() == 0;
            boolean last = done == total;
            if (last || epochEnd || (checkpointEvery > 0 && done % checkpointEvery == 0)) {
                listener.onCheckpoint(done, (int) ((done - 1) / batches.size()), last);
            }
        }
    }
}
