package io.ptuning.training;

import io.ptuning.weights.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sentences of random filler tokens that hold either token A (label 0) or token B (label 1) somewhere:
 * learnable only by attending to the right token. Ids: 0 pad, 1 [CLS], 2 [SEP], 3 A, 4 B, 5.. filler.
 */
final class SyntheticTask {

    static final int A = 3;
    static final int B = 4;

    private SyntheticTask() {}

    static List<TrainingBatch> batches(int count, int batchSize, int vocab, long seed) {
        Random random = new Random(seed);
        List<TrainingBatch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int maxLength = 12;
            long[] ids = new long[batchSize * maxLength];
            long[] mask = new long[batchSize * maxLength];
            long[] labels = new long[batchSize];
            for (int row = 0; row < batchSize; row++) {
                int length = 4 + random.nextInt(maxLength - 4 + 1);
                labels[row] = random.nextInt(2);
                int marker = 1 + random.nextInt(length - 2);
                for (int t = 0; t < length; t++) {
                    long token = t == 0 ? 1 : t == length - 1 ? 2 : t == marker ? (labels[row] == 0 ? A : B)
                            : 5 + random.nextInt(vocab - 5);
                    ids[row * maxLength + t] = token;
                    mask[row * maxLength + t] = 1;
                }
            }
            batches.add(new TrainingBatch(
                    HostTensor.ofLongs(new long[] {batchSize, maxLength}, ids),
                    HostTensor.ofLongs(new long[] {batchSize, maxLength}, mask),
                    HostTensor.ofLongs(new long[] {batchSize}, labels)));
        }
        return batches;
    }
}
