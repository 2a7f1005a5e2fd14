package io.ptuning.trainer.run;

import ai.djl.Device;
import io.ptuning.bert.BaseModel;
import io.ptuning.bert.BaseModels;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.RunRequest;
import io.ptuning.trainer.batches.BatchRange;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.trainer.model.DeviceChoice;
import io.ptuning.training.TrainingBatch;
import io.ptuning.training.TrainingConfig;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Resolves a run request into a {@link RunPlan}, or into the reason it cannot run: an {@link IllegalArgumentException}
 * (or a poison batch) fails the run for good; a {@link RunRefusedException} refuses it here and keeps its state for a
 * trainer that can take it.
 */
final class RunPlanner {

    private static final Logger LOG = Logger.getLogger(RunPlanner.class);

    private final BaseModels models;
    private final BatchRangeReader batches;
    private final RunSettings settings;

    RunPlanner(BaseModels models, BatchRangeReader batches, RunSettings settings) {
        this.models = models;
        this.batches = batches;
        this.settings = settings;
    }

    RunPlan plan(RunRequest request, String fingerprint, Optional<RunState> committed) {
        TuningRecipe recipe = TuningRecipe.preset(request.preset()).withOverrides(request.overrides());
        List<Device> devices = DeviceChoice.resolve(request.device(), settings.defaultDevice(), settings.cpuReplicas());
        String precision = matmulPrecision(request, committed, devices);
        BaseModel base = models.get(request.baseModel(), devices.get(0));
        // data parallel over the other GPUs, or over parts of the CPU (one encoder, shared)
        List<BertEncoder> replicas = devices.subList(1, devices.size()).stream()
                .map(device -> models.get(request.baseModel(), device).encoder()).toList();
        String tokenizerFingerprint = base.tokenizer(settings.tokenizerMaxLength()).fingerprint();
        long to = committed.map(RunState::toOffset).orElse(request.toOffset());
        BatchRange range = batches.read(request.batchTopic(), request.fromOffset(), to, request.datasetVersion(),
                tokenizerFingerprint, request.runId());

        TrainingConfig training = recipe.training().withBatchSize(topicBatchSize(request, range));
        TrainingLoop loop = new TrainingLoop(range.batches(), training, request.maxSteps(),
                request.checkpointEverySteps());
        training = training.withEpochs(loop.epochsCovered()); // what checkpoints record
        RunState start = committed.map(state -> state.withMatmulPrecision(precision))
                .orElseGet(() -> RunState.started(request.runId(), fingerprint, range.fromOffset(), range.toOffset(),
                        precision));
        return new RunPlan(request, new TuningRecipe(recipe.prompt(), training), base, replicas, tokenizerFingerprint,
                range, loop, start);
    }

    /**
     * The rows per step: the batches' own, made by the tokenizer-service. A request's {@code batch_size} that differs
     * is refused rather than silently ignored.
     */
    private static int topicBatchSize(RunRequest request, BatchRange range) {
        int rows = range.batches().stream().mapToInt(TrainingBatch::size).max().orElseThrow();
        String asked = request.overrides().get("batch_size");
        if (asked != null && Integer.parseInt(asked.trim()) != rows) {
            throw new IllegalArgumentException("batch_size " + asked.trim() + " was requested, but the batches of "
                    + range.topic() + " [" + range.fromOffset() + ", " + range.toOffset() + ") hold " + rows
                    + " rows: the tokenizer-service makes the batches (tokenizer.batching.batch-size); publish a dataset"
                    + " version with " + asked.trim() + " rows, or leave batch_size out");
        }
        return rows;
    }

    /**
     * The matmul precision the run trains at: the process's, settled for the run's devices. A request that asks for
     * another, or a resume of a run committed at another, would not replay bit for bit: refused.
     */
    private static String matmulPrecision(RunRequest request, Optional<RunState> committed, List<Device> devices) {
        devices.forEach(MatmulPrecision::settle);
        String here = MatmulPrecision.inForce().precision().id();
        if (request.matmulPrecision() != null && !request.matmulPrecision().equals(here)) {
            throw new RunRefusedException("run " + request.runId() + " asks for matmul precision "
                    + request.matmulPrecision() + ", but this trainer multiplies at " + here + " ("
                    + MatmulPrecision.ENV + "): send it to a trainer configured for " + request.matmulPrecision());
        }
        Optional<String> trainedAt = committed.map(RunState::matmulPrecision);
        if (trainedAt.filter(CheckpointMetadata.UNRECORDED::equals).isPresent()) {
            LOG.warnf("run %s was committed before trainers recorded their matmul precision: resuming at %s",
                    request.runId(), here);
        } else if (trainedAt.isPresent() && !trainedAt.get().equals(here)) {
            throw new RunRefusedException("run " + request.runId() + " was trained at matmul precision "
                    + trainedAt.get() + " up to step " + committed.get().step() + ", but this trainer multiplies at "
                    + here + " (" + MatmulPrecision.ENV + "); a resume at another precision would not replay bit for"
                    + " bit: resume it on a trainer with " + MatmulPrecision.ENV + "=" + trainedAt.get()
                    + " (its committed state is kept)");
        }
        return here;
    }

    /** A run this trainer must not take, though another could: nothing about it is committed as failed. */
    static final class RunRefusedException extends RuntimeException {
        RunRefusedException(String message) {
            super(message);
        }
    }
}
