package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Data of a {@code io.ptuning.train.step} event: one optimizer step of a run. {@code step} counts the steps
 * done including this one (1 for the first), as checkpoint steps do; {@code epoch} counts from 1, as checkpoints'
 * do.
 */
public record TrainStep(
        @JsonProperty("run_id") String runId,
        @JsonProperty("step") long step,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("loss") double loss,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("gradient_norm") double gradientNorm,
        @JsonProperty("examples_per_second") double examplesPerSecond) {}
