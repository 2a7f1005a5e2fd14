package io.ptuning.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Everything the trainer-service can be told, under {@code trainer.}; validated at start-up. */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {

    /** Where runs train when their request says {@code auto}: {@code auto} (GPU when DJL sees one), {@code cpu}, {@code gpu}. */
    @WithDefault("auto")
    @Pattern(regexp = "auto|cpu|gpu", message = "must be auto, cpu or gpu")
    String device();

    /**
     * Parts a batch is split into when a run trains on the CPU, each on its own thread with its share of the cores,
     * the gradients summed (data parallel, as over several GPUs): libtorch's threads then wait less for each other
     * (BENCHMARKS.md, "CPU replicas"). Each count replays bit for bit, but rounds its sums differently from the others,
     * so a fixed default rather than one per machine's cores: a run gives the same checkpoints on any core count.
     */
    @WithDefault("2")
    @Min(1)
    @Max(64)
    int cpuReplicas();

    /** Model cache root; defaults to system property ptuning.model.cache, env PTUNING_MODEL_CACHE, ~/.cache/ptuning/models. */
    Optional<Path> modelCache();

    /**
     * The tokenizer-service's {@code tokenizer.max-length}: part of the tokenizer fingerprint batches carry, so the
     * trainer can tell batches made by its model's tokenizer from others.
     */
    @WithDefault("128")
    @Min(3)
    @Max(512)
    int tokenizerMaxLength();

    /** Largest batch range a run keeps in memory (it replays the range once per epoch). */
    @WithDefault("2147483648")
    @Min(1024)
    long batchCacheMaxBytes();

    Kafka kafka();

    Metrics metrics();

    interface Metrics {

        /** Runs whose per-run Prometheus gauges are kept; the run heard from least recently loses its series first. */
        @WithDefault("20")
        @Min(1)
        int maxRuns();
    }

    /** The run queue: ptuning.runs read as a share group (README "The run queue"). */
    RunQueue runQueue();

    interface RunQueue {

        /** The share group all trainers take run requests in; each request goes to one idle trainer. */
        @WithDefault("ptuning-trainers")
        @NotBlank
        String group();

        /**
         * Deliveries of one request that end without the run ending (a trainer killed, or stopped mid-run) before the
         * next delivery is refused and dead-lettered: a request that kills every trainer that takes it stops there.
         * The group's share.delivery.count.limit is set one above (the broker allows 2 to 10 by default).
         */
        @WithDefault("5")
        @Min(1)
        @Max(9)
        int maxDeliveries();
    }

    interface Kafka {

        /**
         * Producer max.request.size and consumer max.partition.fetch.bytes/fetch.max.bytes: one value so they agree.
         * The topics' max.message.bytes is the TopicCatalog's (16 MiB); a bert-base prefix state with Adam moments
         * is ~4.5 MB.
         */
        @WithDefault("16777216")
        @Min(1048576)
        int maxMessageBytes();

        /** Replication factor of the topics this service creates. */
        @WithDefault("1")
        @Min(1)
        short replicationFactor();

        /**
         * Partitions of ptuning.runs when this service creates it. One (TopicCatalog.RUNS_PARTITIONS): the run queue's
         * share group hands a partition to one member until members outnumber partitions.
         */
        @WithDefault("1")
        @Min(1)
        int runsPartitions();

        /** Compacted topic holding each run's latest committed progress (trainable + optimizer state, step, range). */
        @WithDefault("ptuning.trainer-state")
        @NotBlank
        String stateTopic();

        /** Transactional id of a run's producer: prefix + run id; a restarted trainer fences the old one. */
        @WithDefault("trainer-service.")
        @NotBlank
        String transactionalIdPrefix();

        /** Longest a checkpoint transaction may stay open (it is open only while sending two records). */
        @WithDefault("PT1M")
        Duration transactionTimeout();
    }
}
