package io.ptuning.weights;

/** Weights or tensor records that cannot be read; the message names the source and, where known, the tensor. */
public class MalformedWeightsException extends IllegalArgumentException {

    public MalformedWeightsException(String source, String problem) {
        super(source + ": " + problem);
    }

    public MalformedWeightsException(String source, String tensor, String problem) {
        super(source + ": tensor '" + tensor + "': " + problem);
    }
}
