package io.ptuning.trainer.run;

/**
 * How {@link RunExecutor#execute} ended. A run request is acknowledged when its run {@link #finished()}; otherwise it
 * stays unacknowledged so the consumer group redelivers it to the next trainer, which resumes the run.
 *
 * @param examplesPerSecond training throughput of this execution (0 when it trained nothing)
 */
public record RunOutcome(String runId, Result result, long step, long totalSteps, String reason,
        double examplesPerSecond) {

    public enum Result {
        COMPLETED,
        FAILED,
        /** Stopped for good by a run control, its state committed as cancelled. */
        CANCELLED,
        /** Stopped between steps (shutdown): nothing after the last checkpoint was committed. */
        INTERRUPTED,
        /** Another trainer fenced this one's producer: it owns the run now. */
        TAKEN_OVER,
        /** Kafka failed in a way that may pass (broker away, timeout): the same request resumes from the last commit. */
        TRANSIENT_FAILURE,
        /**
         * The broker refused this trainer's Kafka user an operation (ACLs, credentials): nothing was committed, and
         * the same request runs once an operator grants the trainer's ACLs.
         */
        NOT_AUTHORIZED
    }

    public boolean finished() {
        return result == Result.COMPLETED || result == Result.FAILED || result == Result.CANCELLED;
    }

    /**
     * Whether this trainer is done with the request: the run finished, or another trainer owns it now (that trainer
     * holds a delivery of its own, which it acknowledges when the run ends).
     */
    public boolean acknowledge() {
        return finished() || result == Result.TAKEN_OVER;
    }
}
