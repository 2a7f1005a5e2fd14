package io.ptuning.evaluator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.Evaluation;
import io.ptuning.evaluator.history.MetricUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus gauges per run, labelled {@code run}: {@code ptuning_eval_accuracy} and {@code ptuning_eval_loss} of the
 * latest evaluated checkpoint, {@code ptuning_eval_best_accuracy} and {@code ptuning_eval_step}. Only the
 * {@code maxRuns} runs evaluated most recently keep their series, so the label set stays bounded however many runs
 * the topics hold.
 */
public final class EvaluationGauges implements Consumer<MetricUpdate> {

    private final MeterRegistry registry;
    private final int maxRuns;
    /** In access order: the eldest entry is the run evaluated least recently. */
    private final LinkedHashMap<String, Series> runs = new LinkedHashMap<>(16, 0.75f, true);

    public EvaluationGauges(MeterRegistry registry, int maxRuns) {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns must be at least 1, was " + maxRuns);
        }
        this.registry = registry;
        this.maxRuns = maxRuns;
    }

    /** Takes evaluations; other updates are not evaluator metrics. */
    @Override
    public synchronized void accept(MetricUpdate update) {
        if (!(update.data() instanceof Evaluation evaluation)) {
            return;
        }
        Sample sample = series(evaluation.runId()).sample;
        if (evaluation.step() >= sample.step || Double.isNaN(sample.step)) {
            sample.step = evaluation.step();
            sample.accuracy = evaluation.accuracy();
            sample.loss = evaluation.loss();
        }
        if (Double.isNaN(sample.bestAccuracy) || evaluation.accuracy() > sample.bestAccuracy) {
            sample.bestAccuracy = evaluation.accuracy();
        }
    }

    /** Runs that currently have series, least recently evaluated first. */
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
        volatile double accuracy = Double.NaN;
        volatile double loss = Double.NaN;
        volatile double bestAccuracy = Double.NaN;
    }

    private final class Series {
        final Sample sample = new Sample();
        final List<Meter> meters = new ArrayList<>();

        Series(String runId) {
            meters.add(gauge("ptuning.eval.accuracy", runId, s -> s.accuracy,
                    "Accuracy of the run's latest evaluated checkpoint on the validation split"));
            meters.add(gauge("ptuning.eval.loss", runId, s -> s.loss,
                    "Mean cross-entropy of the run's latest evaluated checkpoint on the validation split"));
            meters.add(gauge("ptuning.eval.best.accuracy", runId, s -> s.bestAccuracy,
                    "Highest validation accuracy among the run's evaluated checkpoints"));
            meters.add(gauge("ptuning.eval.step", runId, s -> s.step, "Step of the run's latest evaluated checkpoint"));
        }

        private Gauge gauge(String name, String runId, ToDoubleFunction<Sample> value, String description) {
            return Gauge.builder(name, sample, value).description(description).tag("run", runId)
                    .strongReference(true).register(registry);
        }
    }
}
