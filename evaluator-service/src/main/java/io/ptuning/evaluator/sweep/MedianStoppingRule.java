package io.ptuning.evaluator.sweep;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.evaluator.history.MetricUpdate;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.evaluator.history.RunHistory;
import io.ptuning.evaluator.scoring.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * The median stopping rule (Golovin et al., "Google Vizier", 2017, section 3.2.2; Optuna's {@code MedianPruner}), for
 * sweeps that opt in with {@code median_stopping_after} K: a run with at least K evaluations is stopped when its best
 * accuracy up to a step is below the median of the other runs' best accuracies up to that same step. The other runs
 * are those evaluated at that step; while a started run that has not ended lacks that step, the decision waits, so a
 * run is not judged against the first of its siblings to get there. The stop is a
 * cancel control on {@code ptuning.runs} whose reason states the rule, the figures and the step; the trainer stops the
 * run there and publishes that reason in the run's {@code CANCELLED} status event.
 */
@ApplicationScoped
public class MedianStoppingRule {

    private static final Logger LOG = Logger.getLogger(MedianStoppingRule.class);
    public static final String REASON_PREFIX = "median stopping rule: ";

    private final RunHistories histories;
    private final SweepCatalog catalog;
    private final KafkaClients clients;
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();
    private volatile KafkaProducer<String, byte[]> producer;

    MedianStoppingRule(RunHistories histories, SweepCatalog catalog, KafkaClients clients) {
        this.histories = histories;
        this.catalog = catalog;
        this.clients = clients;
    }

    void listen(@Observes StartupEvent started) {
        histories.onUpdate(this::onUpdate);
    }

    private void onUpdate(MetricUpdate update) {
        if (!MetricUpdate.EVAL.equals(update.kind())) {
            return;
        }
        String sweepId = SweepRequest.sweepOf(update.runId());
        Optional<SweepRequest> sweep = sweepId == null ? Optional.empty() : catalog.get(sweepId);
        if (sweep.isEmpty() || sweep.get().medianStoppingAfter() <= 0) {
            return;
        }
        // Another run's evaluation at this step can put a run below the median too: check every run of the sweep.
        for (SweepRequest.SweepRun run : sweep.get().runs()) {
            decide(sweep.get(), run.runId(), update.step()).ifPresent(reason -> stop(run.runId(), reason));
        }
    }

    /** The reason to stop {@code runId} at {@code step}, if the rule says so. */
    Optional<String> decide(SweepRequest sweep, String runId, long step) {
        Optional<RunHistory> run = histories.get(runId);
        if (run.isEmpty() || stopped.contains(runId) || finished(run.get()) || !run.get().hasEvaluation(step)) {
            return Optional.empty();
        }
        int evaluations = (int) run.get().evaluations().stream().filter(e -> e.step() <= step).count();
        if (evaluations < sweep.medianStoppingAfter()) {
            return Optional.empty();
        }
        List<Double> others = new ArrayList<>();
        for (SweepRequest.SweepRun other : sweep.runs()) {
            Optional<RunHistory> history = other.runId().equals(runId) ? Optional.empty() : histories.get(other.runId());
            if (history.isEmpty()) {
                continue; // itself, or a run no trainer has started yet
            }
            if (history.get().hasEvaluation(step)) {
                others.add(bestUpTo(history.get(), step).orElseThrow());
            } else if (!finished(history.get())) {
                return Optional.empty(); // a run still on its way to this step: decide once it is there
            }
        }
        if (others.isEmpty()) {
            return Optional.empty();
        }
        double best = bestUpTo(run.get(), step).orElseThrow();
        double median = median(others);
        if (best >= median) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, REASON_PREFIX + "best accuracy %.4f after %d evaluations is below"
                + " the median %.4f of %d other runs of sweep %s at step %d", best, evaluations, median, others.size(),
                sweep.sweepId(), step));
    }

    private static boolean finished(RunHistory run) {
        return run.status().map(RunStatus::state).filter(state -> state == RunStatus.State.COMPLETED
                || state == RunStatus.State.FAILED || state == RunStatus.State.CANCELLED).isPresent();
    }

    private static OptionalDouble bestUpTo(RunHistory run, long step) {
        return run.evaluations().stream().filter(e -> e.step() <= step).mapToDouble(Evaluation::accuracy).max();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private void stop(String runId, String reason) {
        if (!stopped.add(runId)) {
            return;
        }
        RunControl control = RunControl.cancelRun(runId, reason);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RUNS, runId, JsonRecords.encode(control));
        record.headers().add(RecordTypeHeader.of(RunControl.RECORD_TYPE));
        producer().send(record, (sent, error) -> {
            if (error != null) {
                stopped.remove(runId); // the next evaluation decides again
                LOG.errorf("cannot stop run %s: %s", runId, error.getMessage());
            }
        });
        LOG.infof("run %s: %s", runId, reason);
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = clients.producer("evaluator-median-stopping");
        }
        return producer;
    }

    synchronized void close(@Observes ShutdownEvent shutdown) {
        if (producer != null) {
            producer.close();
        }
    }
}
