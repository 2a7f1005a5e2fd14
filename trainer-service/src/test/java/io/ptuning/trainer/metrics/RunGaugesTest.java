package io.ptuning.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import org.junit.jupiter.api.Test;

/** Per-run training gauges: their values, and the bound on how many runs keep series. */
class RunGaugesTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void theGaugesShowTheLatestStepLossSpeedAndEta() {
        RunGauges gauges = new RunGauges(registry, 5);
        gauges.onStatus(new RunStatus("r", RunStatus.State.STARTED, 0, 100, ""));
        gauges.onStep(new TrainStep("r", 1, 1, 100, 0.7, 0.01, 1, 32), 32);
        gauges.onStep(new TrainStep("r", 2, 1, 100, 0.6, 0.01, 1, 32), 32);

        assertThat(value("ptuning.train.step", "r")).isEqualTo(2);
        assertThat(value("ptuning.train.total.steps", "r")).isEqualTo(100);
        assertThat(value("ptuning.train.loss", "r")).isEqualTo(0.6);
        assertThat(value("ptuning.train.examples.per.second", "r")).isEqualTo(32);
        // 32 examples at 32 examples/s: one second a step, 98 steps left.
        assertThat(value("ptuning.train.eta", "r")).isCloseTo(98, within(1e-9));
    }

    @Test
    void onlyTheMostRecentRunsKeepTheirSeries() {
        RunGauges gauges = new RunGauges(registry, 2);
        gauges.onStep(new TrainStep("a", 1, 1, 10, 0.7, 0.01, 1, 32), 32);
        gauges.onStep(new TrainStep("b", 1, 1, 10, 0.7, 0.01, 1, 32), 32);
        gauges.onStep(new TrainStep("a", 2, 1, 10, 0.6, 0.01, 1, 32), 32);
        gauges.onStep(new TrainStep("c", 1, 1, 10, 0.7, 0.01, 1, 32), 32);

        assertThat(gauges.runs()).containsExactly("a", "c");
        assertThat(registry.find("ptuning.train.step").tag("run", "b").gauge()).isNull();
        assertThat(registry.find("ptuning.train.loss").tag("run", "b").gauge()).isNull();
        assertThat(value("ptuning.train.step", "a")).isEqualTo(2);
    }

    private double value(String name, String run) {
        return registry.get(name).tag("run", run).gauge().value();
    }
}
