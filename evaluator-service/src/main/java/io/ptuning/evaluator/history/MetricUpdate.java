package io.ptuning.evaluator.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One metric as the dashboard and the SSE stream see it.
 *
 * @param kind {@code train} (data is a TrainStep), {@code status} (RunStatus) or {@code eval} (Evaluation)
 * @param time when the metric was published (its CloudEvent's time), in milliseconds since the epoch
 */
public record MetricUpdate(
        @JsonProperty("kind") String kind,
        @JsonProperty("run_id") String runId,
        @JsonProperty("step") long step,
        @JsonProperty("data") Object data,
        @JsonProperty("time") long time) {

    public static final String TRAIN = "train";
    public static final String STATUS = "status";
    public static final String EVAL = "eval";
}
