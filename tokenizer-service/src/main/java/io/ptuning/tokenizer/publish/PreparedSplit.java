package io.ptuning.tokenizer.publish;

import io.ptuning.contract.BatchMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Topics;
import io.ptuning.weights.batching.PaddedBatch;
import java.util.List;

/** A split read, validated, tokenized and batched, ready to publish: nothing is sent before this exists. */
public record PreparedSplit(
        DatasetSource source,
        String version,
        String tokenizerFingerprint,
        long rows,
        List<PaddedBatch> batches) {

    public String topic() {
        return Topics.batches(source.dataset(), source.split());
    }

    /** The record of batch {@code index}, with its metadata. */
    public EncodedBatch record(int index) {
        PaddedBatch b = batches.get(index);
        BatchMetadata metadata = BatchMetadata.of(source.dataset(), version, source.split(), index, batches.size(),
                tokenizerFingerprint);
        return new EncodedBatch(metadata, b.batchSize(), b.sequenceLength(), b.inputIds(), b.attentionMask(),
                b.labels(), b.exampleIds());
    }

    public double paddingRatio() {
        long pads = batches.stream().mapToLong(PaddedBatch::paddingTokens).sum();
        long all = batches.stream().mapToLong(PaddedBatch::totalTokens).sum();
        return all == 0 ? 0 : (double) pads / all;
    }

    public double meanLength() {
        long real = batches.stream().mapToLong(b -> b.totalTokens() - b.paddingTokens()).sum();
        return rows == 0 ? 0 : (double) real / rows;
    }

    public int maxLength() {
        return batches.stream().mapToInt(PaddedBatch::sequenceLength).max().orElse(0);
    }
}
