package io.ptuning.evaluator.scoring;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BaseModel;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.Evaluation;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.Scorer;
import io.ptuning.training.ValidationScores;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Scores one checkpoint on the whole validation split with the model library: loads it onto its frozen base
 * model (the library checks the fingerprint it was trained on), runs {@link Scorer} over every batch.
 */
@ApplicationScoped
public class CheckpointScorer {

    private final BaseModels baseModels;
    private final ValidationSplits splits;
    private final String validationTopic;

    CheckpointScorer(BaseModels baseModels, ValidationSplits splits, EvaluatorConfig config) {
        this.baseModels = baseModels;
        this.splits = splits;
        this.validationTopic = config.validationTopic();
    }

    /** @param receivedNanos {@link System#nanoTime()} when the record arrived: the event reports seconds since */
    public Evaluation score(Checkpoint checkpoint, long receivedNanos) {
        CheckpointMetadata meta = checkpoint.metadata();
        BaseModel base = baseModels.get(meta.baseModel());
        ValidationSplit split = splits.forTokenizer(validationTopic, meta.tokenizerFingerprint());
        ValidationScores scores;
        try (NDManager scope = base.manager().newSubManager();
                PromptTunedBert model = load(base, checkpoint, scope)) {
            scores = new Scorer(model, scope).score(split.batches());
        }
        double seconds = (System.nanoTime() - receivedNanos) / 1e9;
        return new Evaluation(meta.runId(), meta.step(), meta.epoch(), meta.last(), scores.examples(), scores.accuracy(),
                scores.meanLoss(), scores.macroF1(), scores.precision(), scores.recall(), scores.f1(),
                scores.confusionMatrix(), split.topic(), seconds);
    }

    /** The tuned model of a checkpoint on its base model; the caller closes it. */
    public PromptTunedBert load(BaseModel base, Checkpoint checkpoint, NDManager manager) {
        try {
            return PromptTunedBert.fromCheckpoint(base.encoder(), checkpoint.file(), checkpoint.location(), manager);
        } catch (RuntimeException e) {
            // Unknown method, missing or misshapen tensors, another base model: the reason is in the message.
            throw new CheckpointRejected("cannot load " + checkpoint.location() + " onto " + base.name() + ": "
                    + e.getMessage(), e);
        }
    }

    public BaseModels baseModels() {
        return baseModels;
    }
}
