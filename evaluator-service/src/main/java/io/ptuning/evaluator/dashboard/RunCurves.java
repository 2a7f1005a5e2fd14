package io.ptuning.evaluator.dashboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.evaluator.history.RunHistory;
import io.ptuning.evaluator.history.TrainCurve;
import java.util.List;
import java.util.Map;

/**
 * A run as the dashboard draws it: status, hyper-parameters, the kept train steps as columns and every evaluation,
 * each with the time it was published (for the wall-time axis).
 *
 * @param evaluationTimes when each of {@code evaluations} was published, in milliseconds since the epoch
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunCurves(
        @JsonProperty("run_id") String runId,
        @JsonProperty("status") RunStatus status,
        @JsonProperty("params") Map<String, String> params,
        @JsonProperty("train_steps_seen") long trainStepsSeen,
        @JsonProperty("train") TrainCurve train,
        @JsonProperty("evaluations") List<Evaluation> evaluations,
        @JsonProperty("evaluation_times") List<Long> evaluationTimes,
        @JsonProperty("best") Evaluation best) {

    public static RunCurves of(RunHistory run) {
        return new RunCurves(run.runId(), run.status().orElse(null), run.params(), run.trainStepsSeen(),
                run.trainCurve(), run.evaluations(), run.evaluationTimes(), run.best().orElse(null));
    }
}
