package io.ptuning.evaluator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.Evaluation;
import io.ptuning.evaluator.history.MetricUpdate;
import io.ptuning.service.metrics.RecentRunGauges;
import java.util.List;
import java.util.function.Consumer;

/**
 * Prometheus gauges per run, labelled {@code run}: {@code ptuning_eval_accuracy} and {@code ptuning_eval_loss} of the
 * latest evaluated checkpoint, {@code ptuning_eval_best_accuracy} and {@code ptuning_eval_step}. Only the
 * {@code maxRuns} runs evaluated most recently keep their series, so the label set stays bounded however many runs
 * the topics hold.
 */
public final class EvaluationGauges implements Consumer<MetricUpdate> {

    private final RecentRunGauges<Sample> gauges;

    public EvaluationGauges(MeterRegistry registry, int maxRuns) {
        this.gauges = new RecentRunGauges<>(registry, maxRuns, Sample::new, List.of(
                new RecentRunGauges.Spec<>("ptuning.eval.accuracy", null,
                        "Accuracy of the run's latest evaluated checkpoint on the validation split", s -> s.accuracy),
                new RecentRunGauges.Spec<>("ptuning.eval.loss", null,
                        "Mean cross-entropy of the run's latest evaluated checkpoint on the validation split", s -> s.loss),
                new RecentRunGauges.Spec<>("ptuning.eval.best.accuracy", null,
                        "Highest validation accuracy among the run's evaluated checkpoints", s -> s.bestAccuracy),
                new RecentRunGauges.Spec<>("ptuning.eval.step", null, "Step of the run's latest evaluated checkpoint",
                        s -> s.step)));
    }

    /** Takes evaluations; other updates are not evaluator metrics. */
    @Override
    public synchronized void accept(MetricUpdate update) {
        if (!(update.data() instanceof Evaluation evaluation)) {
            return;
        }
        Sample sample = gauges.sample(evaluation.runId());
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
    public List<String> runs() {
        return gauges.runs();
    }

    /** The latest values of one run; read by the gauges on scrape. */
    private static final class Sample {
        volatile double step = Double.NaN;
        volatile double accuracy = Double.NaN;
        volatile double loss = Double.NaN;
        volatile double bestAccuracy = Double.NaN;
    }
}
