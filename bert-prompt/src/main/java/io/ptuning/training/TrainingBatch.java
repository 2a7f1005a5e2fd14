package io.ptuning.training;

import io.ptuning.weights.HostTensor;
import java.util.Arrays;

/** Token ids and attention mask [B, T] and labels [B], int64, as they arrive from the batch topic. */
public record TrainingBatch(HostTensor inputIds, HostTensor attentionMask, HostTensor labels) {

    public TrainingBatch {
        long[] shape = inputIds.shape();
        if (shape.length != 2 || !Arrays.equals(shape, attentionMask.shape())
                || labels.shape().length != 1 || labels.shape()[0] != shape[0]) {
            throw new IllegalArgumentException("batch shapes do not fit: input_ids " + Arrays.toString(shape)
                    + ", attention_mask " + Arrays.toString(attentionMask.shape())
                    + ", labels " + Arrays.toString(labels.shape()));
        }
    }

    public int size() {
        return (int) inputIds.shape()[0];
    }

    /** Rows {@code [from, to)} as a batch of their own (same padded length): one replica's part of a data-parallel step. */
    public TrainingBatch rows(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") of a batch of " + size());
        }
        int length = (int) inputIds.shape()[1];
        long[] shape = {to - from, length};
        return new TrainingBatch(
                HostTensor.ofLongs(shape, Arrays.copyOfRange(inputIds.longs(), from * length, to * length)),
                HostTensor.ofLongs(shape, Arrays.copyOfRange(attentionMask.longs(), from * length, to * length)),
                HostTensor.ofLongs(new long[] {to - from}, Arrays.copyOfRange(labels.longs(), from, to)));
    }

    /** Real (non-pad) tokens: the work a batch costs, since padding is skipped nowhere. */
    public long realTokens() {
        return Arrays.stream(attentionMask.longs()).sum();
    }
}
