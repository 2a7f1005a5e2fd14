package io.ptuning.trainer.batches;

import io.ptuning.training.TrainingBatch;
import java.util.List;

/**
 * The batches of a run, in topic order, from offsets {@code [fromOffset, toOffset)} of partition 0.
 * {@code toOffset} is the resolved end: what a resumed run must read again to see the same batches.
 */
public record BatchRange(String topic, long fromOffset, long toOffset, List<TrainingBatch> batches, long bytes) {

    public BatchRange {
        batches = List.copyOf(batches);
    }

    public long examples() {
        return batches.stream().mapToLong(TrainingBatch::size).sum();
    }
}
