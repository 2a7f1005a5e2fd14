package io.ptuning.evaluator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything the evaluator-service can be told, under {@code evaluator.}; validated at start-up. */
@ConfigMapping(prefix = "evaluator")
public interface EvaluatorConfig {

    /** Batch topic of the validation split every checkpoint is scored on. */
    @WithDefault("sst2.batches.validation")
    @NotBlank
    String validationTopic();

    /** Model cache root; defaults to system property ptuning.model.cache, env PTUNING_MODEL_CACHE, ~/.cache/ptuning/models. */
    Optional<Path> modelCache();

    /** Longest encoding /api/predict feeds the model, [CLS] and [SEP] included. */
    @WithDefault("128")
    @Min(3)
    @Max(512)
    int predictMaxLength();

    /** Names of the classes by label id, for /api/predict (SST-2: 0 negative, 1 positive). */
    @WithDefault("negative,positive")
    @Size(min = 2)
    List<String> labelNames();

    /**
     * Train-step points kept per run for the loss curve; beyond this the kept points are thinned to every other one.
     * The default keeps every step of the default run (4,210); the dashboard downsamples what it draws, not this.
     */
    @WithDefault("10000")
    @Min(10)
    int maxTrainPointsPerRun();

    /** How long start-up may take to read the metric topics back before checkpoints are scored. */
    @WithDefault("PT2M")
    Duration replayTimeout();

    /** Replication factor of the topics this service creates (metric topics, checkpoint dead letters). */
    @WithDefault("1")
    @Min(1)
    short replicationFactor();

    /** Fetch and request size for checkpoint and batch records (checkpoints of bert-base prefixes are MBs). */
    @WithDefault("16777216")
    @Min(1024)
    int maxMessageBytes();

    Metrics metrics();

    interface Metrics {

        /** Runs whose per-run Prometheus gauges are kept; the run evaluated least recently loses its series first. */
        @WithDefault("20")
        @Min(1)
        int maxRuns();
    }
}
