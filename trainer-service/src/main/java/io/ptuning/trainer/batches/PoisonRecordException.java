package io.ptuning.trainer.batches;

/** A record of a run's range could not be used; it is on the dead-letter topic and the run fails with this message. */
public class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String message) {
        super(message);
    }
}
