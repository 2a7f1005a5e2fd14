package io.ptuning.evaluator.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.SweepRequest;
import io.ptuning.evaluator.history.RunHistories;
import io.ptuning.evaluator.history.RunHistory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A sweep's runs ranked by their best accuracy on the validation split, with the values that tell them apart. */
public final class Leaderboard {

    /** Status of a run no trainer has reported on yet. */
    public static final String PENDING = "PENDING";

    /** One line of {@code GET /api/sweeps}. */
    public record SweepSummary(
            @JsonProperty("sweep_id") String sweepId,
            @JsonProperty("runs") int runs,
            @JsonProperty("best_run_id") String bestRunId,
            @JsonProperty("best_accuracy") Double bestAccuracy) {}

    /** {@code GET /api/sweeps/{id}}: runs sorted by best accuracy, best first, runs without an evaluation last. */
    public record SweepBoard(
            @JsonProperty("sweep_id") String sweepId,
            @JsonProperty("varied") List<String> varied,
            @JsonProperty("runs") List<RunLine> runs) {}

    /** @param params the values of the sweep's varied keys for this run */
    public record RunLine(
            @JsonProperty("run_id") String runId,
            @JsonProperty("status") String status,
            @JsonProperty("best_accuracy") Double bestAccuracy,
            @JsonProperty("best_step") Long bestStep,
            @JsonProperty("params") Map<String, String> params) {}

    private static final Comparator<RunLine> BEST_FIRST = Comparator
            .comparing((RunLine line) -> line.bestAccuracy() == null ? Double.NEGATIVE_INFINITY : line.bestAccuracy())
            .reversed().thenComparing(RunLine::runId);

    private Leaderboard() {}

    public static SweepBoard of(SweepRequest sweep, RunHistories histories) {
        List<String> varied = sweep.varied();
        List<RunLine> lines = sweep.runs().stream().map(run -> {
            Optional<RunHistory> history = histories.get(run.runId());
            Optional<Evaluation> best = history.flatMap(RunHistory::best);
            Map<String, String> params = new TreeMap<>();
            varied.forEach(key -> params.put(key, run.params().get(key)));
            return new RunLine(run.runId(),
                    history.flatMap(RunHistory::status).map(s -> s.state().name()).orElse(PENDING),
                    best.map(Evaluation::accuracy).orElse(null), best.map(Evaluation::step).orElse(null), params);
        }).sorted(BEST_FIRST).toList();
        return new SweepBoard(sweep.sweepId(), varied, lines);
    }

    public static SweepSummary summary(SweepRequest sweep, RunHistories histories) {
        SweepBoard board = of(sweep, histories);
        RunLine best = board.runs().get(0);
        return new SweepSummary(sweep.sweepId(), board.runs().size(),
                best.bestAccuracy() == null ? null : best.runId(), best.bestAccuracy());
    }
}
