package io.ptuning.evaluator.dashboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.evaluator.history.RunHistory;
import java.util.List;

/**
 * A run as the API shows it: its status, latest and best evaluation, and (in the detail view) the metric history.
 *
 * @param trainSteps loss curve points, thinned for long runs; null in the list view
 * @param evaluations every evaluation by step; null in the list view
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
        @JsonProperty("run_id") String runId,
        @JsonProperty("status") RunStatus status,
        @JsonProperty("train_steps_seen") long trainStepsSeen,
        @JsonProperty("evaluation_count") int evaluationCount,
        @JsonProperty("latest") Evaluation latest,
        @JsonProperty("best") Evaluation best,
        @JsonProperty("train_steps") List<TrainStep> trainSteps,
        @JsonProperty("evaluations") List<Evaluation> evaluations) {

    public static RunView summary(RunHistory run) {
        return new RunView(run.runId(), run.status().orElse(null), run.trainStepsSeen(), run.evaluations().size(),
                run.latest().orElse(null), run.best().orElse(null), null, null);
    }

    public static RunView detail(RunHistory run) {
        List<Evaluation> evaluations = run.evaluations();
        return new RunView(run.runId(), run.status().orElse(null), run.trainStepsSeen(), evaluations.size(),
                run.latest().orElse(null), run.best().orElse(null), run.trainSteps(), evaluations);
    }
}
