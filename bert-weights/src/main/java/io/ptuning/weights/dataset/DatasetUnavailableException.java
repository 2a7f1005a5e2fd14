package io.ptuning.weights.dataset;

/** SST-2 is neither supplied nor cached and cannot be downloaded; the message says how to supply it by hand. */
public final class DatasetUnavailableException extends RuntimeException {

    public DatasetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
