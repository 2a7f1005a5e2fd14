package io.ptuning.trainer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.service.metrics.RecentRunGauges;
import io.ptuning.trainer.run.RunObserver;
import java.util.List;

/**
 * Prometheus gauges per run, labelled {@code run}: {@code ptuning_train_step}, {@code ptuning_train_total_steps},
 * {@code ptuning_train_loss}, {@code ptuning_train_examples_per_second} and {@code ptuning_train_eta_seconds}. Only
 * the {@code maxRuns} runs heard from most recently keep their series, so the label set stays bounded however many
 * runs an instance trains.
 */
public final class RunGauges implements RunObserver {

    /** Weight of the newest step in the smoothed seconds per step behind the ETA. */
    private static final double ETA_SMOOTHING = 0.1;

    private final RecentRunGauges<Sample> gauges;

    public RunGauges(MeterRegistry registry, int maxRuns) {
        this.gauges = new RecentRunGauges<>(registry, maxRuns, Sample::new, List.of(
                new RecentRunGauges.Spec<>("ptuning.train.step", null, "Optimizer steps the run has done", s -> s.step),
                new RecentRunGauges.Spec<>("ptuning.train.total.steps", null, "Steps the run will do in all",
                        s -> s.totalSteps),
                new RecentRunGauges.Spec<>("ptuning.train.loss", null, "Training loss of the run's latest step",
                        s -> s.loss),
                new RecentRunGauges.Spec<>("ptuning.train.examples.per.second", null,
                        "Training examples per second of the run's latest step", s -> s.examplesPerSecond),
                new RecentRunGauges.Spec<>("ptuning.train.eta", "seconds",
                        "Estimated time until the run's last step, from its smoothed step time", s -> s.etaSeconds)));
    }

    @Override
    public synchronized void onStatus(RunStatus status) {
        Sample sample = gauges.sample(status.runId());
        sample.step = status.step();
        sample.totalSteps = status.totalSteps();
        if (status.state() == RunStatus.State.COMPLETED || status.state() == RunStatus.State.FAILED) {
            sample.examplesPerSecond = 0;
            sample.etaSeconds = status.state() == RunStatus.State.COMPLETED ? 0 : Double.NaN;
        }
    }

    @Override
    public synchronized void onStep(TrainStep step, int examples) {
        Sample sample = gauges.sample(step.runId());
        sample.step = step.step();
        sample.totalSteps = step.totalSteps();
        sample.loss = step.loss();
        sample.examplesPerSecond = step.examplesPerSecond();
        if (step.examplesPerSecond() > 0 && examples > 0) {
            double secondsPerStep = examples / step.examplesPerSecond();
            sample.secondsPerStep = Double.isNaN(sample.secondsPerStep) ? secondsPerStep
                    : ETA_SMOOTHING * secondsPerStep + (1 - ETA_SMOOTHING) * sample.secondsPerStep;
        }
        sample.etaSeconds = Double.isNaN(sample.secondsPerStep) ? Double.NaN
                : Math.max(0, step.totalSteps() - step.step()) * sample.secondsPerStep;
    }

    /** Runs that currently have series, least recently heard from first. */
    public List<String> runs() {
        return gauges.runs();
    }

    /** The latest values of one run; read by the gauges on scrape. */
    private static final class Sample {
        volatile double step = Double.NaN;
        volatile double totalSteps = Double.NaN;
        volatile double loss = Double.NaN;
        volatile double examplesPerSecond = Double.NaN;
        volatile double etaSeconds = Double.NaN;
        double secondsPerStep = Double.NaN;
    }
}
