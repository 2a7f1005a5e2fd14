package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Data of a {@code io.ptuning.eval.result} event: one checkpoint scored on a whole validation split.
 *
 * @param epoch the checkpoint's epoch, from 1
 * @param confusionMatrix rows are true labels, columns predicted labels
 * @param precision per class; likewise {@code recall} and {@code f1}
 * @param seconds from receiving the checkpoint to the result
 */
public record Evaluation(
        @JsonProperty("run_id") String runId,
        @JsonProperty("step") long step,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("final") boolean last,
        @JsonProperty("examples") long examples,
        @JsonProperty("accuracy") double accuracy,
        @JsonProperty("loss") double loss,
        @JsonProperty("macro_f1") double macroF1,
        @JsonProperty("precision") List<Double> precision,
        @JsonProperty("recall") List<Double> recall,
        @JsonProperty("f1") List<Double> f1,
        @JsonProperty("confusion_matrix") List<List<Long>> confusionMatrix,
        @JsonProperty("validation_topic") String validationTopic,
        @JsonProperty("seconds") double seconds) {}
