package io.ptuning.weights.batching;

/**
 * How rows become batches.
 *
 * @param batchSize     rows per batch (the last batch of a split may hold fewer)
 * @param bucketBatches how many batches' worth of shuffled rows are sorted by length together: larger
 *                      means less padding and less randomness in which rows share a batch
 * @param seed          seed of the row and batch shuffles; the same seed gives the same batches
 */
public record BatchingSettings(int batchSize, int bucketBatches, long seed) {

    public BatchingSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (bucketBatches < 1) {
            throw new IllegalArgumentException("bucket batches must be >= 1, got " + bucketBatches);
        }
    }
}
