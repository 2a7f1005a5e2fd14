package io.ptuning.service.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gauges per run, labelled {@code run}, over a mutable sample of the run's latest values: only the {@code maxRuns} runs
 * used most recently keep their series, and an evicted run's gauges leave the registry, so the label set stays bounded
 * however many runs a service sees.
 *
 * @param <S> the sample the gauges read on scrape
 */
public final class RecentRunGauges<S> {

    /** One gauge of every run: its name, base unit (or null), help text and how it reads the sample. */
    public record Spec<S>(String name, String baseUnit, String description, ToDoubleFunction<S> value) {}

    private record Run<S>(S sample, List<Meter> meters) {}

    private final MeterRegistry registry;
    private final int maxRuns;
    private final Supplier<S> newSample;
    private final List<Spec<S>> specs;
    /** In access order: the eldest entry is the run used least recently. */
    private final LinkedHashMap<String, Run<S>> runs = new LinkedHashMap<>(16, 0.75f, true);

    public RecentRunGauges(MeterRegistry registry, int maxRuns, Supplier<S> newSample, List<Spec<S>> specs) {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns must be at least 1, was " + maxRuns);
        }
        this.registry = registry;
        this.maxRuns = maxRuns;
        this.newSample = newSample;
        this.specs = List.copyOf(specs);
    }

    /** The sample of {@code runId}, its gauges registered on first use; marks the run as used most recently. */
    public synchronized S sample(String runId) {
        Run<S> existing = runs.get(runId);
        if (existing != null) {
            return existing.sample();
        }
        S sample = newSample.get();
        List<Meter> meters = new ArrayList<>();
        for (Spec<S> spec : specs) {
            meters.add(Gauge.builder(spec.name(), sample, spec.value()).baseUnit(spec.baseUnit())
                    .description(spec.description()).tag("run", runId).strongReference(true).register(registry));
        }
        runs.put(runId, new Run<>(sample, meters));
        while (runs.size() > maxRuns) {
            Map.Entry<String, Run<S>> eldest = runs.entrySet().iterator().next();
            runs.remove(eldest.getKey());
            eldest.getValue().meters().forEach(registry::remove);
        }
        return sample;
    }

    /** Runs that currently have series, least recently used first. */
    public synchronized List<String> runs() {
        return new ArrayList<>(runs.keySet());
    }
}
