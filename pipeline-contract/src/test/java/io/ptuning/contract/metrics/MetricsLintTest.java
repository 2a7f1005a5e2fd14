package io.ptuning.contract.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

/** What the promtool filter keeps, drops and describes. */
class MetricsLintTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    MetricsLintTest() {
        registry.config().meterFilter(new MetricsLint());
    }

    @Test
    void namesWithAnAbbreviatedUnitAreNotExported() {
        Gauge.builder("kafka.consumer.io.time.ns.total", () -> 1).register(registry);
        Gauge.builder("kafka.app.info.start.time.ms", () -> 1).register(registry);

        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void aBaseUnitThatIsAnAbbreviationIsNotExported() {
        io.micrometer.core.instrument.FunctionCounter.builder("process.cpu.time", this, x -> 1).baseUnit("ns").register(registry);
        Gauge.builder("jvm.memory.used", () -> 1).baseUnit("bytes").register(registry);

        assertThat(registry.getMeters()).extracting(m -> m.getId().getName()).containsExactly("jvm.memory.used");
    }

    @Test
    void aLongTaskTimerIsNotExported() {
        io.micrometer.core.instrument.LongTaskTimer.builder("http.server.connections").register(registry);

        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void aGaugeNamedCountIsNotExportedButATimerIs() {
        Gauge.builder("system.cpu.count", () -> 2).register(registry);
        Timer.builder("http.server.requests.count").register(registry);
        Counter.builder("records.count").register(registry);

        assertThat(registry.getMeters()).extracting(m -> m.getId().getName())
                .containsExactlyInAnyOrder("http.server.requests.count", "records.count");
    }

    @Test
    void aMeterWithoutDescriptionGetsOneAndADescribedMeterKeepsItsOwn() {
        Gauge.builder("netty.allocator.memory.used", () -> 1).register(registry);
        Gauge.builder("ptuning.train.loss", () -> 1).description("Training loss").register(registry);

        assertThat(registry.get("netty.allocator.memory.used").gauge().getId().getDescription())
                .isEqualTo("Micrometer meter netty.allocator.memory.used (its binder gives no description)");
        assertThat(registry.get("ptuning.train.loss").gauge().getId().getDescription()).isEqualTo("Training loss");
    }

    @Test
    void wordsThatOnlyContainAnAbbreviationAreKept() {
        Gauge.builder("kafka.consumer.commit.rate", () -> 1).register(registry);
        Gauge.builder("jvm.memory.committed", () -> 1).register(registry);

        assertThat(registry.getMeters()).hasSize(2);
    }
}
