package io.ptuning.weights.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthBucketedBatcherTest {

    private static List<TokenizedRow> rows(int count) {
        Random lengths = new Random(7);
        List<TokenizedRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new TokenizedRow(i, i % 2, new long[3 + lengths.nextInt(60)]));
        }
        return rows;
    }

    @Test
    void everyRowLandsInExactlyOneBatch() {
        List<List<TokenizedRow>> batches = LengthBucketedBatcher.batches(rows(1000), new BatchingSettings(32, 10, 1));

        assertThat(batches.stream().flatMap(List::stream).map(TokenizedRow::exampleId))
                .hasSize(1000).doesNotHaveDuplicates();
        assertThat(batches).hasSize(32); // 31 full batches and one of 8
        assertThat(batches.stream().filter(b -> b.size() != 32)).hasSize(1);
    }

    @Test
    void theSameSeedGivesTheSameBatchesAndAnotherSeedAnotherOrder() {
        List<List<TokenizedRow>> a = LengthBucketedBatcher.batches(rows(1000), new BatchingSettings(32, 10, 1));
        List<List<TokenizedRow>> b = LengthBucketedBatcher.batches(rows(1000), new BatchingSettings(32, 10, 1));
        List<List<TokenizedRow>> c = LengthBucketedBatcher.batches(rows(1000), new BatchingSettings(32, 10, 2));

        assertThat(ids(a)).isEqualTo(ids(b));
        assertThat(ids(a)).isNotEqualTo(ids(c));
    }

    @Test
    void bucketingByLengthCutsPaddingFarBelowRandomBatches() {
        List<TokenizedRow> rows = rows(3200);
        double bucketed = padding(LengthBucketedBatcher.batches(rows, new BatchingSettings(32, 50, 1)));
        double random = padding(LengthBucketedBatcher.batches(rows, new BatchingSettings(32, 1, 1)));

        assertThat(bucketed).isLessThan(0.05);
        assertThat(random).isGreaterThan(0.3);
    }

    @Test
    void paddingFillsTheRightWithThePadIdAndMasksIt() {
        PaddedBatch batch = PaddedBatch.pad(List.of(
                new TokenizedRow(5, 1, new long[] {101, 7, 102}),
                new TokenizedRow(9, 0, new long[] {101, 102})), 0);

        assertThat(batch.sequenceLength()).isEqualTo(3);
        assertThat(batch.inputIds()).containsExactly(101, 7, 102, 101, 102, 0);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 1, 0);
        assertThat(batch.labels()).containsExactly(1, 0);
        assertThat(batch.exampleIds()).containsExactly(5, 9);
        assertThat(batch.paddingTokens()).isEqualTo(1);
    }

    private static List<List<Long>> ids(List<List<TokenizedRow>> batches) {
        return batches.stream().map(b -> b.stream().map(TokenizedRow::exampleId).toList()).toList();
    }

    private static double padding(List<List<TokenizedRow>> batches) {
        long pads = 0;
        long all = 0;
        for (List<TokenizedRow> batch : batches) {
            PaddedBatch padded = PaddedBatch.pad(batch, 0);
            pads += padded.paddingTokens();
            all += padded.totalTokens();
        }
        return (double) pads / all;
    }
}
