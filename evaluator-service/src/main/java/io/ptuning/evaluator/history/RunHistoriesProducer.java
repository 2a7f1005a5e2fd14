package io.ptuning.evaluator.history;

import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.evaluator.metrics.EvaluationGauges;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's one {@link RunHistories}, with Prometheus gauges per run ({@link EvaluationGauges}). */
public class RunHistoriesProducer {

    @Produces
    @Singleton
    RunHistories histories(EvaluatorConfig config, MeterRegistry registry) {
        RunHistories histories = new RunHistories(config.maxTrainPointsPerRun());
        histories.onUpdate(new EvaluationGauges(registry, config.metrics().maxRuns()));
        return histories;
    }
}
