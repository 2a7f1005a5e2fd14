package io.ptuning.trainer.run;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BaseModels;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.batches.MissingBatchesException;
import io.ptuning.trainer.batches.PoisonRecordException;
import io.ptuning.trainer.checkpoint.CheckpointPublisher;
import io.ptuning.trainer.checkpoint.CheckpointPublisher.RunTakenOverException;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.trainer.checkpoint.TrainerStateStore;
import io.ptuning.trainer.kafka.KafkaClients;
import io.ptuning.training.PromptTrainer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * Executes one run request from its committed state to its end: resolve the request to a plan ({@link RunPlanner}),
 * train the plan with the model library's loop, and let a {@link CheckpointSink} commit every checkpoint with the
 * run's state. Started again on the same request (a redelivery after a crash) it resumes from the last commit and
 * takes exactly the remaining steps; on a finished run it does nothing.
 */
public final class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    /** Asked after every step; true stops the run there without committing anything more (shutdown, tests). */
    @FunctionalInterface
    public interface Interruption {
        boolean stopAfter(long stepsDone);

        Interruption NEVER = steps -> false;
    }

    /** Asked before a run starts and after every step: a reason stops the run for good there. */
    @FunctionalInterface
    public interface Cancellation {
        Optional<String> reason(String runId);

        Cancellation NONE = runId -> Optional.empty();
    }

    private final KafkaClients kafka;
    private final RunPlanner planner;
    private final TrainerStateStore states;
    private final RunObserver report;

    public RunExecutor(KafkaClients kafka, BaseModels models, BatchRangeReader batches, TrainerStateStore states,
            TrainMetricPublisher metrics, RunObserver observer) {
        this.kafka = kafka;
        this.planner = new RunPlanner(models, batches, kafka.settings());
        this.states = states;
        this.report = RunObserver.all(metrics, observer);
    }

    public RunOutcome execute(RunRequest request, Interruption interruption) {
        return execute(request, interruption, Cancellation.NONE);
    }

    public RunOutcome execute(RunRequest request, Interruption interruption, Cancellation cancellation) {
        String runId = request.runId();
        String fingerprint = fingerprint(request);
        try (CheckpointPublisher publisher = new CheckpointPublisher(kafka.transactionalProducer(runId), runId,
                kafka.settings().stateTopic())) {
            Optional<RunState> committed = states.latest(runId);
            Optional<RunOutcome> settled = committed.flatMap(state -> settled(request, fingerprint, state));
            if (settled.isPresent()) {
                return settled.get();
            }
            Optional<String> cancelled = cancellation.reason(runId);
            if (cancelled.isPresent()) {
                RunState state = committed.orElseGet(() -> RunState.started(runId, fingerprint, request.fromOffset(),
                        request.toOffset(), MatmulPrecision.inForce().precision().id()));
                return cancel(request, publisher, state, state.step(), 0, cancelled.get());
            }
            RunPlan plan;
            try {
                plan = planner.plan(request, fingerprint, committed);
            } catch (RunPlanner.RunRefusedException e) {
                return fail(request, committed.map(RunState::step).orElse(0L), 0, e.getMessage());
            } catch (MissingBatchesException e) {
                // Nothing is committed: the same request under the same run id runs once the batches are there.
                return fail(request, committed.map(RunState::step).orElse(0L), 0, e.getMessage()
                        + "; run " + runId + " can be requested again once they are");
            } catch (PoisonRecordException | IllegalArgumentException e) {
                RunState failed = committed.orElseGet(() -> RunState.started(runId, fingerprint, request.fromOffset(),
                        request.toOffset(), MatmulPrecision.inForce().precision().id())).failed(e.getMessage());
                publisher.commit(failed, null);
                return fail(request, failed.step(), 0, e.getMessage());
            }
            return train(plan, publisher, interruption, cancellation);
        } catch (RunTakenOverException e) {
            LOG.warnf("%s: stopping", e.getMessage());
            return new RunOutcome(runId, RunOutcome.Result.TAKEN_OVER, 0, 0, e.getMessage(), 0);
        } catch (RuntimeException e) {
            KafkaException refused = refusedByBroker(e);
            if (refused != null) {
                return notAuthorized(request, refused);
            }
            if (e instanceof KafkaException && isTransient(e)) {
                return transientFailure(request, e);
            }
            throw e;
        }
    }

    /** The authorizer's or authenticator's refusal in {@code e}'s cause chain (a commit wraps it), or null. */
    static KafkaException refusedByBroker(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
                return (KafkaException) cause;
            }
        }
        return null;
    }

    /**
     * The broker refused this trainer's Kafka user: a configuration error only an operator can fix. Said loudly, with
     * what to do; nothing after the last commit was kept, and the request is not acknowledged.
     */
    private static RunOutcome notAuthorized(RunRequest request, KafkaException e) {
        String reason = "the broker refused this trainer's Kafka user (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + "); give it the trainer-service's ACLs (ServiceAcls.trainer; deploy/k8s KafkaUser"
                + " trainer-service) and its own credentials (kafka.sasl.jaas.config); run " + request.runId()
                + " resumes from its last commit once it may";
        LOG.errorf("run %s: %s", request.runId(), reason);
        return new RunOutcome(request.runId(), RunOutcome.Result.NOT_AUTHORIZED, 0, 0, reason, 0);
    }

    /** The outcome of a run whose committed state already decides it: done, failed, or another request's. */
    private Optional<RunOutcome> settled(RunRequest request, String fingerprint, RunState state) {
        String runId = request.runId();
        if (!state.requestFingerprint().equals(fingerprint)) {
            return Optional.of(fail(request, 0, 0, "run id " + runId
                    + " was already used by a different request; choose a new run id to train again"));
        }
        if (state.completed()) {
            LOG.infof("run %s already completed at step %d: acknowledging without training", runId, state.step());
            return Optional.of(new RunOutcome(runId, RunOutcome.Result.COMPLETED, state.step(), state.step(), "", 0));
        }
        if (state.hasFailed()) {
            return Optional.of(new RunOutcome(runId, RunOutcome.Result.FAILED, state.step(), 0, state.reason(), 0));
        }
        if (state.isCancelled()) {
            LOG.infof("run %s was cancelled (%s): acknowledging without training", runId, state.reason());
            return Optional.of(new RunOutcome(runId, RunOutcome.Result.CANCELLED, state.step(), 0, state.reason(), 0));
        }
        return Optional.empty();
    }

    private RunOutcome train(RunPlan plan, CheckpointPublisher publisher, Interruption interruption,
            Cancellation cancellation) {
        String runId = plan.runId();
        long totalSteps = plan.loop().totalSteps();
        RunState start = plan.start();
        long stepsDone = start.step();
        try (NDManager manager = plan.base().manager().newSubManager();
                PromptTunedBert model = start.model().isPresent()
                        ? PromptTunedBert.fromCheckpoint(plan.base().encoder(), start.model().get(), "state of run " + runId, manager)
                        : PromptTunedBert.initialize(plan.base().encoder(), plan.recipe().prompt(),
                                plan.recipe().training().seed(), manager);
                PromptTrainer trainer = new PromptTrainer(model, plan.replicas(), plan.recipe().training(), totalSteps,
                        manager)) {
            if (start.model().isEmpty()) {
                publisher.commit(start, null); // pins the resolved range before the first step
            }
            start.optimizer().ifPresent(trainer::restore);
            RunStatus.State begun = trainer.stepsDone() > 0 ? RunStatus.State.RESUMED : RunStatus.State.STARTED;
            report.onStatus(new RunStatus(runId, begun, trainer.stepsDone(), totalSteps, "", plan.params()));
            LOG.infof("run %s %s at step %d of %d: %d batches (%d examples) of %s [%d, %d), %s on %s%s, %s products",
                    runId, begun.name().toLowerCase(), trainer.stepsDone(), totalSteps, plan.range().batches().size(),
                    plan.range().examples(), plan.range().topic(), plan.range().fromOffset(), plan.range().toOffset(),
                    plan.request().baseModel(), plan.base().manager().getDevice(), plan.replicas().isEmpty() ? ""
                            : " and " + plan.replicas().stream().map(r -> r.device().toString()).toList()
                                    + " (data parallel)", start.matmulPrecision());

            CheckpointSink sink = new CheckpointSink(plan, model, trainer, publisher, report, interruption, cancellation);
            long started = System.nanoTime();
            try {
                plan.loop().run(trainer, sink);
            } catch (CheckpointSink.Cancelled cancel) {
                return cancel(plan.request(), publisher, sink.lastCommitted(), trainer.stepsDone(), totalSteps,
                        cancel.getMessage());
            } catch (CheckpointSink.Interrupted stop) {
                LOG.infof("run %s interrupted after step %d; resumes from its last checkpoint", runId, trainer.stepsDone());
                return new RunOutcome(runId, RunOutcome.Result.INTERRUPTED, trainer.stepsDone(), totalSteps, "stopped", 0);
            } finally {
                stepsDone = trainer.stepsDone();
            }
            if (trainer.stepsDone() < totalSteps) {
                return new RunOutcome(runId, RunOutcome.Result.INTERRUPTED, trainer.stepsDone(), totalSteps, "interrupted", 0);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double examplesPerSecond = seconds > 0 ? sink.examples() / seconds : 0;
            report.onStatus(new RunStatus(runId, RunStatus.State.COMPLETED, trainer.stepsDone(), totalSteps, ""));
            LOG.infof("run %s completed: %d steps (%d here) at %.1f examples/s", runId, totalSteps,
                    trainer.stepsDone() - start.step(), examplesPerSecond);
            return new RunOutcome(runId, RunOutcome.Result.COMPLETED, trainer.stepsDone(), totalSteps, "", examplesPerSecond);
        } catch (RunTakenOverException e) {
            throw e;
        } catch (RuntimeException e) {
            if (refusedByBroker(e) != null) {
                return notAuthorized(plan.request(), refusedByBroker(e));
            }
            if (isTransient(e)) {
                return transientFailure(plan.request(), e);
            }
            LOG.errorf(e, "run %s failed", runId);
            return fail(plan.request(), stepsDone, totalSteps, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Kafka failures that may pass (a broker away, a timeout, a commit rolled back for such a reason): nothing after
     * the last commit was kept, and the same request resumes from it.
     */
    static boolean isTransient(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException || cause instanceof org.apache.kafka.common.errors.InterruptException) {
                return true;
            }
        }
        return false;
    }

    private static RunOutcome transientFailure(RunRequest request, RuntimeException e) {
        LOG.warnf("run %s stopped by a transient Kafka failure; it resumes from its last commit: %s", request.runId(),
                e.getMessage());
        return new RunOutcome(request.runId(), RunOutcome.Result.TRANSIENT_FAILURE, 0, 0, e.getMessage(), 0);
    }

    /**
     * Commits {@code committed} (the last progress committed) as cancelled, so no trainer resumes the run, and says so
     * with the step where it stopped.
     */
    private RunOutcome cancel(RunRequest request, CheckpointPublisher publisher, RunState committed, long step,
            long totalSteps, String reason) {
        publisher.commit(committed.cancelled(reason), null);
        LOG.infof("run %s cancelled at step %d: %s", request.runId(), step, reason);
        report.onStatus(new RunStatus(request.runId(), RunStatus.State.CANCELLED, step, totalSteps, reason));
        return new RunOutcome(request.runId(), RunOutcome.Result.CANCELLED, step, totalSteps, reason, 0);
    }

    private RunOutcome fail(RunRequest request, long step, long totalSteps, String reason) {
        LOG.warnf("run %s failed: %s", request.runId(), reason);
        report.onStatus(new RunStatus(request.runId(), RunStatus.State.FAILED, step, totalSteps, reason));
        return new RunOutcome(request.runId(), RunOutcome.Result.FAILED, step, totalSteps, reason, 0);
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
