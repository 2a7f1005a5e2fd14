package io.ptuning.weights.batching;

import java.util.Arrays;
import java.util.List;

/**
 * Rows padded on the right to the longest row of the batch: the tensors of a batch record, without metadata.
 * Flat row-major arrays, [B,T] for ids and mask, [B] for labels and example ids.
 */
public record PaddedBatch(int batchSize, int sequenceLength, long[] inputIds, long[] attentionMask, long[] labels,
        long[] exampleIds) {

    public static PaddedBatch pad(List<TokenizedRow> rows, long padId) {
        int b = rows.size();
        int t = rows.stream().mapToInt(TokenizedRow::length).max().orElseThrow();
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b];
        long[] exampleIds = new long[b];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            TokenizedRow row = rows.get(r);
            System.arraycopy(row.tokenIds(), 0, ids, r * t, row.length());
            Arrays.fill(mask, r * t, r * t + row.length(), 1L);
            labels[r] = row.label();
            exampleIds[r] = row.exampleId();
        }
        return new PaddedBatch(b, t, ids, mask, labels, exampleIds);
    }

    public long totalTokens() {
        return (long) batchSize * sequenceLength;
    }

    public long paddingTokens() {
        long real = 0;
        for (long m : attentionMask) {
            real += m;
        }
        return totalTokens() - real;
    }
}
