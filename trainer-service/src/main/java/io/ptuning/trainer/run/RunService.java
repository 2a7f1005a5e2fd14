package io.ptuning.trainer.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.trainer.config.TrainerConfig;
import io.ptuning.trainer.metrics.RunGauges;
import io.ptuning.trainer.control.CancelWatch;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs requests one at a time on this instance, remembers the latest status of each run it executed
 * ({@code GET /runs/{id}}), and keeps the Micrometer meters ({@code trainer.steps}, {@code trainer.examples},
 * {@code trainer.examples.per.second}, {@code trainer.runs.active}, {@code trainer.runs.failed}; the per-run gauges
 * are {@link RunGauges}).
 */
@ApplicationScoped
public class RunService implements RunObserver {

    /** What this instance knows of a run. */
    public record RunView(String runId, RunStatus.State state, long step, long totalSteps, int epoch, double lastLoss,
            double examplesPerSecond, String reason) {}

    @Inject
    TrainerComponents components;

    @Inject
    MeterRegistry registry;

    @Inject
    TrainerConfig config;

    @Inject
    CancelWatch cancels;

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofMinutes(1);

    private final Map<String, RunView> runs = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicReference<Double> examplesPerSecond = new AtomicReference<>(0.0);
    private volatile boolean stopping;
    private RunExecutor executor;
    private Counter steps;
    private Counter examples;
    private Counter failed;
    private Counter completed;

    @PostConstruct
    void meters() {
        steps = registry.counter("trainer.steps");
        examples = registry.counter("trainer.examples");
        failed = registry.counter("trainer.runs.failed");
        completed = registry.counter("trainer.runs.completed");
        registry.gauge("trainer.runs.active", active);
        registry.gauge("trainer.examples.per.second", examplesPerSecond, AtomicReference::get);
        executor = components.executor(RunObserver.all(this, new RunGauges(registry, config.metrics().maxRuns())));
    }

    /**
     * Trains {@code request} to its end, or until this instance shuts down (then the run resumes elsewhere). A
     * transient Kafka failure, or a refusal by the broker's authorizer (fixed by granting ACLs), is retried from the
     * last commit after a pause that doubles up to a minute.
     */
    public RunOutcome run(RunRequest request) {
        active.incrementAndGet();
        try {
            Duration pause = FIRST_RETRY;
            RunOutcome outcome = executor.execute(request, stepsDone -> stopping, this::cancelReason);
            while ((outcome.result() == RunOutcome.Result.TRANSIENT_FAILURE
                    || outcome.result() == RunOutcome.Result.NOT_AUTHORIZED) && !stopping) {
                Thread.sleep(pause.toMillis());
                pause = pause.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : pause.multipliedBy(2);
                outcome = executor.execute(request, stepsDone -> stopping, this::cancelReason);
            }
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RunOutcome(request.runId(), RunOutcome.Result.INTERRUPTED, 0, 0, "interrupted", 0);
        } finally {
            active.decrementAndGet();
        }
    }

    private Optional<String> cancelReason(String runId) {
        return cancels.cancellation(runId).map(RunControl::reason);
    }

    public Optional<RunView> view(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public void onStatus(RunStatus status) {
        runs.compute(status.runId(), (id, old) -> new RunView(id, status.state(), status.step(), status.totalSteps(),
                old == null ? 0 : old.epoch(), old == null ? Double.NaN : old.lastLoss(),
                old == null ? 0 : old.examplesPerSecond(), status.reason()));
        if (status.state() == RunStatus.State.FAILED) {
            failed.increment();
        } else if (status.state() == RunStatus.State.COMPLETED) {
            completed.increment();
        }
    }

    @Override
    public void onStep(TrainStep step, int batchExamples) {
        steps.increment();
        examples.increment(batchExamples);
        examplesPerSecond.set(step.examplesPerSecond());
        runs.compute(step.runId(), (id, old) -> new RunView(id, old == null ? RunStatus.State.STARTED : old.state(),
                step.step(), step.totalSteps(), step.epoch(), step.loss(), step.examplesPerSecond(),
                old == null ? "" : old.reason()));
    }

    /** Stops a run between steps: its request stays unacknowledged and the group hands it to another trainer. */
    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
    }
}
