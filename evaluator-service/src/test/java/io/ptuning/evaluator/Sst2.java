package io.ptuning.evaluator;

import io.ptuning.contract.BatchMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Split;
import io.ptuning.training.TrainingBatch;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.batching.GlueTsvRows;
import io.ptuning.weights.batching.PaddedBatch;
import io.ptuning.weights.batching.TokenizedRow;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** SST-2 rows from the shared GLUE files, tokenized and packed into length-sorted batches of 32. */
final class Sst2 {

    private Sst2() {
    }

    static List<TokenizedRow> rows(String file, BertTokenizer tokenizer) {
        Path path = Path.of(System.getProperty("sst2.dir", "../../shared/data/sst2")).resolve(file);
        return GlueTsvRows.read(path, tokenizer);
    }

    /** Rows sorted by length, cut into batches of {@code size}, padded per batch. */
    static List<EncodedBatch> batches(List<TokenizedRow> rows, int size, String version, String tokenizerFingerprint) {
        List<TokenizedRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(TokenizedRow::length).thenComparingLong(TokenizedRow::exampleId));
        int count = (sorted.size() + size - 1) / size;
        List<EncodedBatch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            PaddedBatch padded = PaddedBatch.pad(sorted.subList(b * size, Math.min(sorted.size(), (b + 1) * size)), 0);
            batches.add(new EncodedBatch(BatchMetadata.of("sst2", version, Split.VALIDATION, b, count, tokenizerFingerprint),
                    padded.batchSize(), padded.sequenceLength(), padded.inputIds(), padded.attentionMask(),
                    padded.labels(), padded.exampleIds()));
        }
        return batches;
    }

    /** {@code count} random train rows as length-sorted training batches of 32, in shuffled batch order. */
    static List<TrainingBatch> trainingBatches(BertTokenizer tokenizer, int count, long seed) {
        List<TokenizedRow> rows = new ArrayList<>(rows("train.tsv", tokenizer));
        Collections.shuffle(rows, new Random(seed));
        List<EncodedBatch> encoded = new ArrayList<>(batches(rows.subList(0, count), 32, "train-sample", tokenizer.fingerprint()));
        Collections.shuffle(encoded, new Random(seed + 1));
        return encoded.stream().map(Sst2::training).toList();
    }

    static TrainingBatch training(EncodedBatch b) {
        long[] shape = {b.batchSize(), b.sequenceLength()};
        return new TrainingBatch(HostTensor.ofLongs(shape, b.inputIds()), HostTensor.ofLongs(shape, b.attentionMask()),
                HostTensor.ofLongs(new long[] {b.batchSize()}, b.labels()));
    }
}
