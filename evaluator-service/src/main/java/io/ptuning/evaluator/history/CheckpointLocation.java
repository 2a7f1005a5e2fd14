package io.ptuning.evaluator.history;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a checkpoint record sits, so that the best one can be fetched again for /api/predict. */
public record CheckpointLocation(
        @JsonProperty("topic") String topic,
        @JsonProperty("partition") int partition,
        @JsonProperty("offset") long offset) {}
