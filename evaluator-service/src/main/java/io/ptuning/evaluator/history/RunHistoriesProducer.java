package io.ptuning.evaluator.history;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.Evaluation;
import io.ptuning.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's one {@link RunHistories}, with a Prometheus gauge of the latest accuracy per run. */
public class RunHistoriesProducer {

    @Produces
    @Singleton
    RunHistories histories(EvaluatorConfig config, MeterRegistry registry) {
        RunHistories histories = new RunHistories(config.maxTrainPointsPerRun());
        histories.onNewRun(run -> Gauge.builder("ptuning.eval.accuracy", run,
                        r -> r.latest().map(Evaluation::accuracy).orElse(Double.NaN))
                .description("Accuracy of the run's latest evaluated checkpoint on the validation split")
                .tag("run", run.runId())
                .register(registry));
        return histories;
    }
}
