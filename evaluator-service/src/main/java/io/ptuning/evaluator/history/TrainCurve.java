package io.ptuning.evaluator.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A run's kept train steps as columns (index i of every array is one step): compact for a dashboard that draws
 * many runs of thousands of steps.
 *
 * @param time when each step was published, in milliseconds since the epoch
 * @param totalSteps the steps the run will do in all, as its latest step said (0 before any step)
 */
public record TrainCurve(
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("step") long[] step,
        @JsonProperty("loss") double[] loss,
        @JsonProperty("examples_per_second") double[] examplesPerSecond,
        @JsonProperty("time") long[] time) {}
