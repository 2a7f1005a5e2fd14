package io.ptuning.evaluator.scoring;

/** A checkpoint this evaluator cannot score; the message is the reason carried to the dead-letter topic. */
public class CheckpointRejected extends RuntimeException {

    public CheckpointRejected(String reason) {
        super(reason);
    }

    public CheckpointRejected(String reason, Throwable cause) {
        super(reason, cause);
    }
}
