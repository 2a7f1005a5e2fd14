package io.ptuning.trainer.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.trainer.batches.BatchRange;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.batches.PoisonRecordException;
import io.ptuning.trainer.checkpoint.CheckpointPublisher;
import io.ptuning.trainer.checkpoint.CheckpointPublisher.RunTakenOverException;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.trainer.checkpoint.TrainerStateStore;
import io.ptuning.trainer.kafka.KafkaClients;
import io.ptuning.trainer.model.BaseModels;
import io.ptuning.trainer.model.DeviceChoice;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import io.ptuning.weights.SafetensorsFile;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Executes one run request from its committed state to its end: reads the batch range, trains with the model
 * library, and at every checkpoint commits the checkpoint record and the run's state in one transaction. Started
 * again on the same request (a redelivery after a crash) it resumes from the last commit and takes exactly the
 * remaining steps; on a finished run it does nothing. No tensor math here: the library's loop does the training.
 */
public final class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    /** Asked after every step; true stops the run there without committing anything more (shutdown, tests). */
    @FunctionalInterface
    public interface Interruption {
        boolean stopAfter(long stepsDone);

        Interruption NEVER = steps -> false;
    }

    private final KafkaClients kafka;
    private final BaseModels models;
    private final BatchRangeReader batches;
    private final TrainerStateStore states;
    private final TrainMetricPublisher metrics;
    private final RunObserver observer;

    public RunExecutor(KafkaClients kafka, BaseModels models, BatchRangeReader batches, TrainerStateStore states,
            TrainMetricPublisher metrics, RunObserver observer) {
        this.kafka = kafka;
        this.models = models;
        this.batches = batches;
        this.states = states;
        this.metrics = metrics;
        this.observer = observer;
    }

    public RunOutcome execute(RunRequest request, Interruption interruption) {
        String runId = request.runId();
        String fingerprint = fingerprint(request);
        try (CheckpointPublisher publisher = new CheckpointPublisher(kafka.transactionalProducer(runId), runId,
                kafka.settings().stateTopic())) {
            Optional<RunState> committed = states.latest(runId);
            if (committed.isPresent()) {
                RunState state = committed.get();
                if (!state.requestFingerprint().equals(fingerprint)) {
                    return fail(request, 0, 0, "run id " + runId + " was already used by a different request;"
                            + " choose a new run id to train again", Optional.empty(), null);
                }
                if (state.completed()) {
                    LOG.infof("run %s already completed at step %d: acknowledging without training", runId, state.step());
                    return new RunOutcome(runId, RunOutcome.Result.COMPLETED, state.step(), state.step(), "", 0);
                }
                if (state.hasFailed()) {
                    return new RunOutcome(runId, RunOutcome.Result.FAILED, state.step(), 0, state.reason(), 0);
                }
            }
            return train(request, fingerprint, committed, publisher, interruption);
        } catch (RunTakenOverException e) {
            LOG.warnf("%s: stopping", e.getMessage());
            return new RunOutcome(runId, RunOutcome.Result.TAKEN_OVER, 0, 0, e.getMessage(), 0);
        }
    }

    private RunOutcome train(RunRequest request, String fingerprint, Optional<RunState> committed,
            CheckpointPublisher publisher, Interruption interruption) {
        String runId = request.runId();
        TuningRecipe recipe;
        String precision;
        BaseModels.LoadedModel base;
        List<BertEncoder> replicas;
        BatchRange range;
        try {
            recipe = TuningRecipe.preset(request.preset()).withOverrides(request.overrides());
            List<Device> devices = DeviceChoice.resolve(request.device(), kafka.settings().defaultDevice());
            precision = matmulPrecision(request, committed, devices);
            base = models.get(request.baseModel(), devices.get(0));
            replicas = devices.subList(1, devices.size()).stream() // data parallel over the other GPUs
                    .map(device -> models.get(request.baseModel(), device).encoder()).toList();
            long to = committed.map(RunState::toOffset).orElse(request.toOffset());
            range = batches.read(request.batchTopic(), request.fromOffset(), to, request.datasetVersion(),
                    base.tokenizerFingerprint(), runId);
        } catch (PrecisionMismatchException e) { // refused, not failed: the run's state stays for a matching trainer
            return fail(request, committed.map(RunState::step).orElse(0L), 0, e.getMessage(), Optional.empty(), null);
        } catch (PoisonRecordException | IllegalArgumentException e) {
            RunState failed = committed.orElse(RunState.started(runId, fingerprint, request.fromOffset(),
                    request.toOffset(), MatmulPrecision.inForce().precision().id())).failed(e.getMessage());
            return fail(request, failed.step(), 0, e.getMessage(), Optional.of(failed), publisher);
        }

        TrainingLoop loop = new TrainingLoop(range.batches(), recipe.training(), request.maxSteps(),
                request.checkpointEverySteps());
        long totalSteps = loop.totalSteps();
        RunState start = committed.map(state -> state.withMatmulPrecision(precision))
                .orElseGet(() -> RunState.started(runId, fingerprint, range.fromOffset(), range.toOffset(), precision));
        if (committed.isEmpty()) {
            publisher.commit(start, null); // pins the resolved range before the first step
        }
        try (NDManager manager = base.manager().newSubManager();
                PromptTunedBert model = start.model().isPresent()
                        ? PromptTunedBert.fromCheckpoint(base.encoder(), start.model().get(), "state of run " + runId, manager)
                        : PromptTunedBert.initialize(base.encoder(), recipe.prompt(), recipe.training().seed(), manager);
                PromptTrainer trainer = new PromptTrainer(model, replicas, recipe.training(), totalSteps, manager)) {
            start.optimizer().ifPresent(trainer::restore);
            RunStatus.State begun = trainer.stepsDone() > 0 ? RunStatus.State.RESUMED : RunStatus.State.STARTED;
            status(new RunStatus(runId, begun, trainer.stepsDone(), totalSteps, ""));
            LOG.infof("run %s %s at step %d of %d: %d batches (%d examples) of %s [%d, %d), %s on %s%s, %s products", runId,
                    begun.name().toLowerCase(), trainer.stepsDone(), totalSteps, range.batches().size(), range.examples(),
                    range.topic(), range.fromOffset(), range.toOffset(), request.baseModel(), base.manager().getDevice(),
                    replicas.isEmpty() ? "" : " and " + replicas.stream().map(r -> r.device().toString()).toList()
                            + " (data parallel)", precision);

            StepReporter reporter = new StepReporter(request, start, recipe, totalSteps, model, trainer, publisher,
                    base.tokenizerFingerprint(), interruption);
            long startSteps = trainer.stepsDone();
            long started = System.nanoTime();
            try {
                loop.run(trainer, reporter);
            } catch (Interrupted stop) {
                LOG.infof("run %s interrupted after step %d; resumes from its last checkpoint", runId, trainer.stepsDone());
                return new RunOutcome(runId, RunOutcome.Result.INTERRUPTED, trainer.stepsDone(), totalSteps, "stopped", 0);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double examplesPerSecond = seconds > 0 ? reporter.examples / seconds : 0;
            if (trainer.stepsDone() < totalSteps) {
                return new RunOutcome(runId, RunOutcome.Result.INTERRUPTED, trainer.stepsDone(), totalSteps, "interrupted", 0);
            }
            status(new RunStatus(runId, RunStatus.State.COMPLETED, trainer.stepsDone(), totalSteps, ""));
            LOG.infof("run %s completed: %d steps (%d here) at %.1f examples/s", runId, totalSteps,
                    trainer.stepsDone() - startSteps, examplesPerSecond);
            return new RunOutcome(runId, RunOutcome.Result.COMPLETED, trainer.stepsDone(), totalSteps, "", examplesPerSecond);
        } catch (RunTakenOverException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s failed", runId);
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            return fail(request, 0, totalSteps, reason, Optional.empty(), null);
        }
    }

    /** Publishes checkpoints, state and step metrics as the library's loop trains. */
    private final class StepReporter implements TrainingLoop.Listener {

        private final RunRequest request;
        private final RunState start;
        private final TuningRecipe recipe;
        private final long totalSteps;
        private final PromptTunedBert model;
        private final PromptTrainer trainer;
        private final CheckpointPublisher publisher;
        private final Interruption interruption;
        private final String tokenizerFingerprint;
        private long last = System.nanoTime();
        long examples;

        StepReporter(RunRequest request, RunState start, TuningRecipe recipe, long totalSteps, PromptTunedBert model,
                PromptTrainer trainer, CheckpointPublisher publisher, String tokenizerFingerprint,
                Interruption interruption) {
            this.request = request;
            this.start = start;
            this.recipe = recipe;
            this.totalSteps = totalSteps;
            this.model = model;
            this.trainer = trainer;
            this.publisher = publisher;
            this.interruption = interruption;
            this.tokenizerFingerprint = tokenizerFingerprint;
        }

        @Override
        public void onStep(PromptTrainer.StepResult result, int epoch, int batchSize) {
            long now = System.nanoTime();
            double seconds = (now - last) / 1e9;
            last = now;
            examples += batchSize;
            TrainStep step = new TrainStep(request.runId(), result.step() + 1, epoch, totalSteps, result.loss(),
                    result.learningRate(), result.gradientNorm(), seconds > 0 ? batchSize / seconds : 0);
            metrics.step(step);
            observer.onStep(step, batchSize);
            if (interruption.stopAfter(result.step() + 1) || Thread.currentThread().isInterrupted()) {
                throw new Interrupted();
            }
        }

        @Override
        public void onCheckpoint(long stepsDone, int epoch, boolean last) {
            Map<String, String> metadata = new TreeMap<>(recipe.training().toMetadata());
            metadata.put("preset", request.preset());
            metadata.put("from_offset", Long.toString(start.fromOffset()));
            metadata.put("to_offset", Long.toString(start.toOffset()));
            metadata.putAll(new CheckpointMetadata(CheckpointMetadata.SCHEMA_VERSION, request.runId(), stepsDone, epoch,
                    totalSteps, last, request.baseModel(), request.batchTopic(),
                    request.datasetVersion() == null ? "" : request.datasetVersion(), tokenizerFingerprint,
                    start.matmulPrecision()).toMap());
            SafetensorsFile checkpoint = model.checkpoint(metadata);
            RunState state = start.checkpointed(stepsDone, epoch, last, checkpoint, trainer.optimizerState(Map.of()));
            publisher.commit(state, checkpoint.encode());
        }
    }

    /**
     * The matmul precision this run trains at: the process's, settled for the run's devices. Refuses (with
     * {@link PrecisionMismatchException}) a request that asks for another, and a resume of a run committed at another,
     * since neither would replay bit for bit.
     */
    private static String matmulPrecision(RunRequest request, Optional<RunState> committed, List<Device> devices) {
        devices.forEach(MatmulPrecision::settle);
        String here = MatmulPrecision.inForce().precision().id();
        if (request.matmulPrecision() != null && !request.matmulPrecision().equals(here)) {
            throw new PrecisionMismatchException("run " + request.runId() + " asks for matmul precision "
                    + request.matmulPrecision() + ", but this trainer multiplies at " + here + " ("
                    + MatmulPrecision.ENV + "): send it to a trainer configured for " + request.matmulPrecision());
        }
        Optional<String> trainedAt = committed.map(RunState::matmulPrecision);
        if (trainedAt.filter(p -> p.equals(CheckpointMetadata.UNRECORDED)).isPresent()) {
            LOG.warnf("run %s was committed before trainers recorded their matmul precision: resuming at %s",
                    request.runId(), here);
        } else if (trainedAt.isPresent() && !trainedAt.get().equals(here)) {
            throw new PrecisionMismatchException("run " + request.runId() + " was trained at matmul precision "
                    + trainedAt.get() + " up to step " + committed.get().step() + ", but this trainer multiplies at "
                    + here + " (" + MatmulPrecision.ENV + "); a resume at another precision would not replay bit for"
                    + " bit: resume it on a trainer with " + MatmulPrecision.ENV + "=" + trainedAt.get()
                    + " (its committed state is kept)");
        }
        return here;
    }

    /** A run that must not train at this trainer's matmul precision. */
    private static final class PrecisionMismatchException extends RuntimeException {
        PrecisionMismatchException(String message) {
            super(message);
        }
    }

    /** Unwinds the library's loop between steps without committing. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }

    private RunOutcome fail(RunRequest request, long step, long totalSteps, String reason, Optional<RunState> state,
            CheckpointPublisher publisher) {
        LOG.warnf("run %s failed: %s", request.runId(), reason);
        state.ifPresent(s -> publisher.commit(s, null));
        status(new RunStatus(request.runId(), RunStatus.State.FAILED, step, totalSteps, reason));
        return new RunOutcome(request.runId(), RunOutcome.Result.FAILED, step, totalSteps, reason, 0);
    }

    private void status(RunStatus status) {
        metrics.status(status);
        observer.onStatus(status);
    }

    /** SHA-256 of the request's canonical JSON: a run id names one request only. */
    static String fingerprint(RunRequest request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JsonRecords.encode(request)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
