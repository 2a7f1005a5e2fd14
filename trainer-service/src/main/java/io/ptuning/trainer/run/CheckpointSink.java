package io.ptuning.trainer.run;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.TrainStep;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.trainer.checkpoint.CheckpointPublisher;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.TrainingLoop;
import io.ptuning.weights.SafetensorsFile;
import java.util.Map;
import java.util.TreeMap;

/**
 * Listens to the library's training loop: reports every step, and at every checkpoint commits the checkpoint record
 * and the run's state in one transaction. Epochs leave here 1-based, as the contract numbers them.
 */
final class CheckpointSink implements TrainingLoop.Listener {

    private final RunPlan plan;
    private final PromptTunedBert model;
    private final PromptTrainer trainer;
    private final CheckpointPublisher publisher;
    private final RunObserver report;
    private final RunExecutor.Interruption interruption;
    private final RunExecutor.Cancellation cancellation;
    private RunState lastCommitted;
    private long lastStep = System.nanoTime();
    private long examples;

    CheckpointSink(RunPlan plan, PromptTunedBert model, PromptTrainer trainer, CheckpointPublisher publisher,
            RunObserver report, RunExecutor.Interruption interruption, RunExecutor.Cancellation cancellation) {
        this.plan = plan;
        this.model = model;
        this.trainer = trainer;
        this.publisher = publisher;
        this.report = report;
        this.interruption = interruption;
        this.cancellation = cancellation;
        this.lastCommitted = plan.start();
    }

    @Override
    public void onStep(PromptTrainer.StepResult result, int epoch, int batchSize) {
        long now = System.nanoTime();
        double seconds = (now - lastStep) / 1e9;
        lastStep = now;
        examples += batchSize;
        report.onStep(new TrainStep(plan.runId(), result.step() + 1, epoch + 1, plan.loop().totalSteps(), result.loss(),
                result.learningRate(), result.gradientNorm(), seconds > 0 ? batchSize / seconds : 0), batchSize);
        if (interruption.stopAfter(result.step() + 1) || Thread.currentThread().isInterrupted()) {
            throw new Interrupted();
        }
        cancellation.reason(plan.runId()).ifPresent(reason -> {
            throw new Cancelled(reason);
        });
    }

    @Override
    public void onCheckpoint(long stepsDone, int epoch, boolean last) {
        RunState start = plan.start();
        Map<String, String> metadata = new TreeMap<>(plan.recipe().training().toMetadata());
        metadata.put("preset", plan.request().preset());
        metadata.put("from_offset", Long.toString(start.fromOffset()));
        metadata.put("to_offset", Long.toString(start.toOffset()));
        String datasetVersion = plan.request().datasetVersion() == null ? "" : plan.request().datasetVersion();
        metadata.putAll(new CheckpointMetadata(CheckpointMetadata.SCHEMA_VERSION, plan.runId(), stepsDone, epoch + 1,
                plan.loop().totalSteps(), last, plan.request().baseModel(), plan.request().batchTopic(), datasetVersion,
                plan.tokenizerFingerprint(), start.matmulPrecision()).toMap());
        SafetensorsFile checkpoint = model.checkpoint(metadata);
        RunState state = start.checkpointed(stepsDone, epoch + 1, last, checkpoint, trainer.optimizerState(Map.of()));
        publisher.commit(state, checkpoint.encode());
        lastCommitted = state;
    }

    /** The run's state as last committed: the start, or the latest checkpoint of this execution. */
    RunState lastCommitted() {
        return lastCommitted;
    }

    /** Examples trained in this execution. */
    long examples() {
        return examples;
    }

    /** Unwinds the library's loop between steps: the run is cancelled, with this message as the reason. */
    static final class Cancelled extends RuntimeException {
        Cancelled(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Unwinds the library's loop between steps without committing. */
    static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
