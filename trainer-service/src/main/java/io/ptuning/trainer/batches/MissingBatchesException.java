package io.ptuning.trainer.batches;

/**
 * A run's batches are not on the broker (yet): no topic, a range past its end, or no batch of the dataset version.
 * That may pass (the dataset is being published), so the run is not committed as failed and the same request can be
 * sent again under the same run id.
 */
public final class MissingBatchesException extends IllegalArgumentException {
    public MissingBatchesException(String message) {
        super(message);
    }
}
