package io.ptuning.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.GradMode;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.HostTensor;

/** Inference with a tuned model: class probabilities for a batch, and scores over a labelled split. */
public final class Scorer {

    private static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss();

    private final PromptTunedBert model;
    private final NDManager manager;

    public Scorer(PromptTunedBert model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    /** Softmax probabilities [B][numLabels] for token ids and mask [B, T]; no dropout. */
    public float[][] probabilities(HostTensor inputIds, HostTensor attentionMask) {
        GradMode.off();
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = model.logits(DeviceTensors.upload(scope, inputIds), DeviceTensors.upload(scope, attentionMask));
            float[] flat = logits.softmax(-1).toFloatArray();
            int labels = (int) logits.getShape().get(1);
            float[][] rows = new float[flat.length / labels][labels];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(flat, i * labels, rows[i], 0, labels);
            }
            return rows;
        }
    }

    /** Confusion matrix and summed loss over every example of {@code batches}. */
    public ValidationScores score(Iterable<TrainingBatch> batches) {
        GradMode.off();
        int numLabels = model.config().numLabels();
        long[][] confusion = new long[numLabels][numLabels];
        double lossSum = 0;
        long examples = 0;
        for (TrainingBatch batch : batches) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray labels = DeviceTensors.upload(scope, batch.labels());
                NDArray logits = model.logits(DeviceTensors.upload(scope, batch.inputIds()),
                        DeviceTensors.upload(scope, batch.attentionMask()));
                lossSum += CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(logits)).getFloat() * batch.size();
                long[] predicted = logits.argMax(1).toLongArray();
                long[] truth = batch.labels().longs();
                for (int i = 0; i < truth.length; i++) {
                    confusion[(int) truth[i]][(int) predicted[i]]++;
                }
                examples += truth.length;
            }
        }
        return new ValidationScores(confusion, lossSum, examples);
    }
}
