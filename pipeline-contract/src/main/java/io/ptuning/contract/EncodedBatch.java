package io.ptuning.contract;

import java.util.Arrays;

/**
 * One record of {@code <dataset>.batches.<split>}: B tokenized rows padded to a common length T.
 *
 * <p>Tensors are stored row-major and flat, as they travel: {@code input_ids} and {@code attention_mask} [B,T],
 * {@code labels} and {@code example_ids} [B], all int64. A label is 0 or 1, or {@link #UNLABELED} for rows of an
 * unlabeled split. An example id is the 0-based index of the row among the data rows of its source file
 * (the header line not counted), so that it survives shuffling and can be traced back to the file.
 */
public record EncodedBatch(
        BatchMetadata metadata,
        int batchSize,
        int sequenceLength,
        long[] inputIds,
        long[] attentionMask,
        long[] labels,
        long[] exampleIds) {

    /** The batch record layout described here; bump it when a field changes meaning or shape. */
    public static final int SCHEMA_VERSION = 1;
    /** Label of a row whose split has no labels (GLUE test). */
    public static final long UNLABELED = -1;

    public EncodedBatch {
        if (metadata == null) {
            throw new IllegalArgumentException("metadata is required");
        }
        if (batchSize < 1 || sequenceLength < 1) {
            throw new IllegalArgumentException("batch shape [" + batchSize + ", " + sequenceLength + "] must be positive");
        }
        requireLength("input_ids", inputIds, (long) batchSize * sequenceLength);
        requireLength("attention_mask", attentionMask, (long) batchSize * sequenceLength);
        requireLength("labels", labels, batchSize);
        requireLength("example_ids", exampleIds, batchSize);
        for (long m : attentionMask) {
            if (m != 0 && m != 1) {
                throw new IllegalArgumentException("attention_mask holds " + m + "; only 0 and 1 are allowed");
            }
        }
        for (int i = 0; i < batchSize; i++) {
            if (labels[i] < UNLABELED) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i] + "; labels are >= 0, or -1 for unlabeled");
            }
            if (exampleIds[i] < 0) {
                throw new IllegalArgumentException("example_ids[" + i + "] is " + exampleIds[i] + "; ids are >= 0");
            }
        }
        inputIds = inputIds.clone();
        attentionMask = attentionMask.clone();
        labels = labels.clone();
        exampleIds = exampleIds.clone();
    }

    @Override
    public long[] inputIds() {
        return inputIds.clone();
    }

    @Override
    public long[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public long[] labels() {
        return labels.clone();
    }

    @Override
    public long[] exampleIds() {
        return exampleIds.clone();
    }

    /** The real (unpadded) token ids of row {@code row}. */
    public long[] tokens(int row) {
        int from = row * sequenceLength;
        int length = 0;
        while (length < sequenceLength && attentionMask[from + length] == 1) {
            length++;
        }
        return Arrays.copyOfRange(inputIds, from, from + length);
    }

    /** Positions that hold padding (attention mask 0). */
    public long paddingTokens() {
        long pads = 0;
        for (long m : attentionMask) {
            pads += 1 - m;
        }
        return pads;
    }

    public long totalTokens() {
        return (long) batchSize * sequenceLength;
    }

    private static void requireLength(String field, long[] values, long expected) {
        if (values == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (values.length != expected) {
            throw new IllegalArgumentException(field + " has " + values.length + " values, the batch shape needs " + expected);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedBatch that
                && metadata.equals(that.metadata)
                && batchSize == that.batchSize
                && sequenceLength == that.sequenceLength
                && Arrays.equals(inputIds, that.inputIds)
                && Arrays.equals(attentionMask, that.attentionMask)
                && Arrays.equals(labels, that.labels)
                && Arrays.equals(exampleIds, that.exampleIds);
    }

    @Override
    public int hashCode() {
        int h = metadata.hashCode();
        h = 31 * h + Arrays.hashCode(inputIds);
        h = 31 * h + Arrays.hashCode(attentionMask);
        h = 31 * h + Arrays.hashCode(labels);
        return 31 * h + Arrays.hashCode(exampleIds);
    }

    @Override
    public String toString() {
        return "EncodedBatch[" + metadata.dataset() + "/" + metadata.split().wireName() + " " + metadata.datasetVersion()
                + " batch " + metadata.batchIndex() + "/" + metadata.batchCount() + " shape [" + batchSize + ", "
                + sequenceLength + "]]";
    }
}
