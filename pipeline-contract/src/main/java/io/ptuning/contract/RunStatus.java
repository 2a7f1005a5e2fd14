package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Data of a {@code io.ptuning.run.status} event: a run started, resumed, completed, failed (with the
 * reason a person can act on) or was cancelled (with who or which rule cancelled it).
 */
public record RunStatus(
        @JsonProperty("run_id") String runId,
        @JsonProperty("state") State state,
        @JsonProperty("step") long step,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("reason") String reason) {

    public enum State {
        STARTED,
        RESUMED,
        COMPLETED,
        FAILED,
        /** Stopped for good at its step by a {@link RunControl} (a person, or a sweep's early-stopping rule). */
        CANCELLED
    }
}
