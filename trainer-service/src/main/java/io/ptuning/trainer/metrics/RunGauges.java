package io.ptuning.trainer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.trainer.run.RunObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus gauges per run, labelled {@code run}: {@code ptuning_train_step}, {@code ptuning_train_total_steps},
 * {@code ptuning_train_loss}, {@code ptuning_train_examples_per_second} and {@code ptuning_train_eta_seconds}. Only
 * the {@code maxRuns} runs heard from most recently keep their series, so the label set stays bounded however many
 * runs an instance trains.
 */
public final class RunGauges implements RunObserver {

    /** Weight of the newest step in the smoothed seconds per step behind the ETA. */
    private static final double ETA_SMOOTHING = 0.1;

    private final MeterRegistry registry;
    private final int maxRuns;
    /** In access order: the eldest entry is the run heard from least recently. */
    private final LinkedHashMap<String, Series> runs = new LinkedHashMap<>(16, 0.75f, true);

    public RunGauges(MeterRegistry registry, int maxRuns) {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns must be at least 1, was " + maxRuns);
        }
        this.registry = registry;
        this.maxRuns = maxRuns;
    }

    @Override
    public synchronized void onStatus(RunStatus status) {
        Sample sample = series(status.runId()).sample;
        sample.step = status.step();
        sample.totalSteps = status.totalSteps();
        if (status.state() == RunStatus.State.COMPLETED || status.state() == RunStatus.State.FAILED) {
            sample.examplesPerSecond = 0;
            sample.etaSeconds = status.state() == RunStatus.State.COMPLETED ? 0 : Double.NaN;
        }
    }

    @Override
    public synchronized void onStep(TrainStep step, int examples) {
        Sample sample = series(step.runId()).sample;
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
    public synchronized List<String> runs() {
        return new ArrayList<>(runs.keySet());
    }

    private Series series(String runId) {
        Series existing = runs.get(runId);
        if (existing != null) {
            return existing;
        }
        Series created = new Series(runId);
        runs.put(runId, created);
        while (runs.size() > maxRuns) {
            Map.Entry<String, Series> eldest = runs.entrySet().iterator().next();
            runs.remove(eldest.getKey());
            eldest.getValue().meters.forEach(registry::remove);
        }
        return created;
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

    private final class Series {
        final Sample sample = new Sample();
        final List<Meter> meters = new ArrayList<>();

        Series(String runId) {
            meters.add(gauge("ptuning.train.step", runId, s -> s.step, null, "Optimizer steps the run has done"));
            meters.add(gauge("ptuning.train.total.steps", runId, s -> s.totalSteps, null, "Steps the run will do in all"));
            meters.add(gauge("ptuning.train.loss", runId, s -> s.loss, null, "Training loss of the run's latest step"));
            meters.add(gauge("ptuning.train.examples.per.second", runId, s -> s.examplesPerSecond, null,
                    "Training examples per second of the run's latest step"));
            meters.add(gauge("ptuning.train.eta", runId, s -> s.etaSeconds, "seconds",
                    "Estimated time until the run's last step, from its smoothed step time"));
        }

        private Gauge gauge(String name, String runId, java.util.function.ToDoubleFunction<Sample> value, String unit,
                String description) {
            return Gauge.builder(name, sample, value).baseUnit(unit).description(description).tag("run", runId)
                    .strongReference(true).register(registry);
        }
    }
}
