package io.ptuning.contract.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Micrometer filter every service registers so that its {@code /q/metrics} passes {@code promtool check metrics}
 * (Prometheus' linter, client_golang's {@code promlint}): meters that a binder left without a description get one
 * (no HELP text is a lint problem), and meters whose names the linter rejects are not exported: names with an
 * abbreviated unit, in the name or as the base unit (Kafka clients' {@code *-time-ns-total}, {@code *-time-ms},
 * {@code process.cpu.time} in ns), gauges named {@code count} ({@code system.cpu.count}, Kafka's
 * {@code connection-count}), which only histograms and summaries may be, and long task timers.
 */
public final class MetricsLint implements MeterFilter {

    /** The unit abbreviations promlint flags when they appear as a word of a metric name. */
    private static final Set<String> ABBREVIATED_UNITS = Set.of("ms", "us", "ns", "sec", "min", "mins", "hr", "hrs");
    private static final Pattern WORDS = Pattern.compile("[._-]");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        String[] words = WORDS.split(id.getName());
        for (String word : words) {
            if (ABBREVIATED_UNITS.contains(word)) {
                return MeterFilterReply.DENY;
            }
        }
        // The registry appends the base unit to the name: process.cpu.time in ns is process_cpu_time_ns_total.
        if (id.getBaseUnit() != null && ABBREVIATED_UNITS.contains(id.getBaseUnit())) {
            return MeterFilterReply.DENY;
        }
        // A long task timer's active count and duration are written as samples of one family, which promtool reads
        // as metrics without HELP (http.server.connections).
        if (id.getType() == Meter.Type.LONG_TASK_TIMER) {
            return MeterFilterReply.DENY;
        }
        boolean histogramLike = id.getType() == Meter.Type.TIMER || id.getType() == Meter.Type.DISTRIBUTION_SUMMARY;
        if (!histogramLike && id.getType() != Meter.Type.COUNTER && words[words.length - 1].equals("count")) {
            return MeterFilterReply.DENY;
        }
        return MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(),
                "Micrometer meter " + id.getName() + " (its binder gives no description)", id.getType());
    }
}
