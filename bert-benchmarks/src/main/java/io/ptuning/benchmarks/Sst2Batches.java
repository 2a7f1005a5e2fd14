package io.ptuning.benchmarks;

import io.ptuning.training.TrainingBatch;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.batching.BatchingSettings;
import io.ptuning.weights.batching.GlueTsvRows;
import io.ptuning.weights.batching.LengthBucketedBatcher;
import io.ptuning.weights.batching.PaddedBatch;
import io.ptuning.weights.batching.TokenizedRow;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** SST-2 GLUE TSV splits tokenized and batched the way the tokenizer-service publishes them. */
final class Sst2Batches {

    private Sst2Batches() {}

    /** Rows of {@code sentence<TAB>label} after the header, tokenized. */
    static List<TokenizedRow> rows(Path tsv, BertTokenizer tokenizer) {
        return GlueTsvRows.read(tsv, tokenizer);
    }

    /** Length-bucketed, seeded batches (the tokenizer-service's defaults: bucket of 50 batches, seed 42). */
    static List<TrainingBatch> bucketed(List<TokenizedRow> rows, int batchSize) {
        return LengthBucketedBatcher.batches(rows, new BatchingSettings(batchSize, 50, 42)).stream()
                .map(Sst2Batches::toTrainingBatch).toList();
    }

    /** Batches in file order, padded to their longest row: what a plain DataLoader without bucketing gives. */
    static List<TrainingBatch> inFileOrder(List<TokenizedRow> rows, int batchSize) {
        List<TrainingBatch> batches = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += batchSize) {
            batches.add(toTrainingBatch(rows.subList(from, Math.min(from + batchSize, rows.size()))));
        }
        return batches;
    }

    static TrainingBatch toTrainingBatch(List<TokenizedRow> rows) {
        PaddedBatch padded = PaddedBatch.pad(rows, 0);
        long[] shape = {padded.batchSize(), padded.sequenceLength()};
        return new TrainingBatch(HostTensor.ofLongs(shape, padded.inputIds()),
                HostTensor.ofLongs(shape, padded.attentionMask()),
                HostTensor.ofLongs(new long[] {padded.batchSize()}, padded.labels()));
    }

    static double meanPaddedLength(List<TrainingBatch> batches) {
        return batches.stream().mapToLong(b -> b.inputIds().shape()[1] * b.size()).sum()
                / (double) batches.stream().mapToInt(TrainingBatch::size).sum();
    }

    static double meanRealLength(List<TrainingBatch> batches) {
        return batches.stream().mapToLong(TrainingBatch::realTokens).sum()
                / (double) batches.stream().mapToInt(TrainingBatch::size).sum();
    }
}
