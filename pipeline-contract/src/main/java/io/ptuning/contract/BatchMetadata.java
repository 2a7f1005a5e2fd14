package io.ptuning.contract;

/**
 * What a batch record says about itself, carried in the safetensors {@code __metadata__}.
 *
 * @param schemaVersion        version of the batch record layout; {@link EncodedBatch#SCHEMA_VERSION} when written
 * @param dataset              dataset name, e.g. {@code sst2}
 * @param datasetVersion       fingerprint of source file, tokenizer and batching settings; also the record key
 * @param split                which split the rows come from
 * @param batchIndex           0-based position of this batch in the published order
 * @param batchCount           number of batches of this dataset version and split
 * @param tokenizerFingerprint fingerprint of the tokenizer that produced the ids
 */
public record BatchMetadata(
        int schemaVersion,
        String dataset,
        String datasetVersion,
        Split split,
        int batchIndex,
        int batchCount,
        String tokenizerFingerprint) {

    public BatchMetadata {
        Topics.requireNamePart("dataset", dataset);
        requireText("dataset_version", datasetVersion);
        requireText("tokenizer_fingerprint", tokenizerFingerprint);
        if (split == null) {
            throw new IllegalArgumentException("split is required");
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schema_version must be >= 1, got " + schemaVersion);
        }
        if (batchCount < 1 || batchIndex < 0 || batchIndex >= batchCount) {
            throw new IllegalArgumentException("batch_index " + batchIndex + " is not in [0, batch_count " + batchCount + ")");
        }
    }

    /** Metadata of the current schema version. */
    public static BatchMetadata of(String dataset, String datasetVersion, Split split, int batchIndex, int batchCount,
            String tokenizerFingerprint) {
        return new BatchMetadata(EncodedBatch.SCHEMA_VERSION, dataset, datasetVersion, split, batchIndex, batchCount,
                tokenizerFingerprint);
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
