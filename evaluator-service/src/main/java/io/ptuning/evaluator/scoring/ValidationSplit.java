package io.ptuning.evaluator.scoring;

import io.ptuning.training.TrainingBatch;
import java.util.List;

/** One complete dataset version of a validation batch topic, ready to score: every batch, in batch order. */
public record ValidationSplit(String topic, String datasetVersion, String tokenizerFingerprint,
        List<TrainingBatch> batches, long examples) {

    public ValidationSplit {
        batches = List.copyOf(batches);
    }
}
