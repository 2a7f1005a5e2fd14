package io.ptuning.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.TrainStep;
import io.ptuning.evaluator.history.MetricUpdate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-run evaluation gauges: their values, and the bound on how many runs keep series. */
class EvaluationGaugesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theGaugesShowTheLatestEvaluationAndTheBestAccuracy() {
        EvaluationGauges gauges = new EvaluationGauges(registry, 5);
        gauges.accept(eval("r", 10, 0.80, 0.45));
        gauges.accept(eval("r", 20, 0.70, 0.55));

        assertThat(value("ptuning.eval.accuracy", "r")).isEqualTo(0.70);
        assertThat(value("ptuning.eval.loss", "r")).isEqualTo(0.55);
        assertThat(value("ptuning.eval.best.accuracy", "r")).isEqualTo(0.80);
        assertThat(value("ptuning.eval.step", "r")).isEqualTo(20);
    }

    @Test
    void anEarlierStepArrivingLateDoesNotReplaceTheLatest() {
        EvaluationGauges gauges = new EvaluationGauges(registry, 5);
        gauges.accept(eval("r", 20, 0.70, 0.55));
        gauges.accept(eval("r", 10, 0.90, 0.30));

        assertThat(value("ptuning.eval.accuracy", "r")).isEqualTo(0.70);
        assertThat(value("ptuning.eval.best.accuracy", "r")).isEqualTo(0.90);
    }

    @Test
    void onlyTheMostRecentlyEvaluatedRunsKeepTheirSeries() {
        EvaluationGauges gauges = new EvaluationGauges(registry, 2);
        gauges.accept(eval("a", 1, 0.6, 0.6));
        gauges.accept(eval("b", 1, 0.6, 0.6));
        gauges.accept(eval("a", 2, 0.7, 0.5));
        gauges.accept(eval("c", 1, 0.6, 0.6));

        assertThat(gauges.runs()).containsExactly("a", "c");
        assertThat(registry.find("ptuning.eval.accuracy").tag("run", "b").gauge()).isNull();
        assertThat(registry.find("ptuning.eval.best.accuracy").tag("run", "b").gauge()).isNull();
    }

    @Test
    void trainStepsMakeNoEvaluationSeries() {
        EvaluationGauges gauges = new EvaluationGauges(registry, 2);
        gauges.accept(new MetricUpdate(MetricUpdate.TRAIN, "t", 1, new TrainStep("t", 1, 1, 10, 0.7, 0.01, 1, 32), 0));

        assertThat(gauges.runs()).isEmpty();
    }

    private static MetricUpdate eval(String run, long step, double accuracy, double loss) {
        Evaluation e = new Evaluation(run, step, 1, false, 100, accuracy, loss, accuracy, List.of(0.5, 0.5),
                List.of(0.5, 0.5), List.of(0.5, 0.5), List.of(List.of(50L, 0L), List.of(0L, 50L)), "v", 1.0);
        return new MetricUpdate(MetricUpdate.EVAL, run, step, e, 0);
    }

    private double value(String name, String run) {
        return registry.get(name).tag("run", run).gauge().value();
    }
}
