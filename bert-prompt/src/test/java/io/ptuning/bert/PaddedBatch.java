package io.ptuning.bert;

import java.util.List;

/** Token id rows padded to the longest row, with the attention mask: how tests feed real sentences. */
record PaddedBatch(long[][] ids, long[][] mask) {

    static PaddedBatch of(List<long[]> rows) {
        int length = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        long[][] ids = new long[rows.size()][length];
        long[][] mask = new long[rows.size()][length];
        for (int i = 0; i < rows.size(); i++) {
            long[] row = rows.get(i);
            System.arraycopy(row, 0, ids[i], 0, row.length);
            java.util.Arrays.fill(mask[i], 0, row.length, 1L);
        }
        return new PaddedBatch(ids, mask);
    }

    int rows() {
        return ids.length;
    }

    int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    long paddedPositions() {
        long pads = 0;
        for (long[] row : mask) {
            for (long m : row) {
                pads += 1 - m;
            }
        }
        return pads;
    }
}
