package io.ptuning.weights.batching;

/** A row after tokenization: its example id, label and token ids ([CLS] ... [SEP], already truncated). */
public record TokenizedRow(long exampleId, long label, long[] tokenIds) {

    public int length() {
        return tokenIds.length;
    }
}
