package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A control record on {@code ptuning.runs} (record type {@value #RECORD_TYPE}): cancel one run, or every run of a
 * sweep. Keyed by the run id or the sweep id. Every trainer reads these records, and the one training a cancelled
 * run stops it after its current step and commits it as cancelled, so it is never resumed.
 *
 * @param runId the run to cancel; null when {@code sweepId} names a whole sweep
 * @param sweepId the sweep whose runs to cancel; null when {@code runId} names one run
 * @param reason why, as the run's {@code CANCELLED} status event will say it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunControl(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("action") String action,
        @JsonProperty("run_id") @JsonInclude(JsonInclude.Include.NON_NULL) String runId,
        @JsonProperty("sweep_id") @JsonInclude(JsonInclude.Include.NON_NULL) String sweepId,
        @JsonProperty("reason") String reason) {

    public static final String RECORD_TYPE = "run_control";
    public static final int SCHEMA_VERSION = 1;
    public static final String CANCEL = "cancel";

    public RunControl {
        if (!CANCEL.equals(action)) {
            throw new IllegalArgumentException("action '" + action + "' is not one of: " + CANCEL);
        }
        if ((runId == null) == (sweepId == null)) {
            throw new IllegalArgumentException("a run control names exactly one of run_id and sweep_id");
        }
        if (runId != null) {
            Topics.requireNamePart("run_id", runId);
        } else {
            SweepRequest.requireSweepId(sweepId);
        }
        reason = reason == null || reason.isBlank() ? "cancelled" : reason;
    }

    public static RunControl cancelRun(String runId, String reason) {
        return new RunControl(SCHEMA_VERSION, CANCEL, runId, null, reason);
    }

    public static RunControl cancelSweep(String sweepId, String reason) {
        return new RunControl(SCHEMA_VERSION, CANCEL, null, sweepId, reason);
    }

    /** The record key: the run id, or the sweep id. */
    public String key() {
        return runId != null ? runId : sweepId;
    }

    /** Whether this control applies to {@code run}. */
    public boolean appliesTo(String run) {
        return runId != null ? runId.equals(run) : SweepRequest.belongsTo(run, sweepId);
    }
}
