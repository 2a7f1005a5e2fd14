package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * Data of a {@code io.ptuning.run.status} event: a run started, resumed, completed, failed (with the
 * reason a person can act on) or was cancelled (with who or which rule cancelled it).
 *
 * @param params the run's resolved hyper-parameters by name (the preset with its overrides applied, plus
 *     {@code preset} and {@code base_model}), sent with {@code STARTED} and {@code RESUMED} for dashboards; empty
 *     in the other states and in events written before it existed
 */
public record RunStatus(
        @JsonProperty("run_id") String runId,
        @JsonProperty("state") State state,
        @JsonProperty("step") long step,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("reason") String reason,
        @JsonProperty("params") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> params) {

    public enum State {
        STARTED,
        RESUMED,
        COMPLETED,
        FAILED,
        /** Stopped for good at its step by a {@link RunControl} (a person, or a sweep's early-stopping rule). */
        CANCELLED
    }

    public RunStatus {
        params = params == null ? Map.of() : Map.copyOf(new TreeMap<>(params));
    }

    /** A status without hyper-parameters. */
    public RunStatus(String runId, State state, long step, long totalSteps, String reason) {
        this(runId, state, step, totalSteps, reason, Map.of());
    }
}
