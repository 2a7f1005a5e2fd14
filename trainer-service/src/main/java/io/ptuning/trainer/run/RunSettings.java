package io.ptuning.trainer.run;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link RunExecutor} needs to know, as plain values (from {@code TrainerConfig} in the service).
 *
 * @param kafka client properties, at least {@code bootstrap.servers}
 * @param defaultDevice the device of runs whose request says {@code auto}
 * @param cpuReplicas the parts a batch is split into when a run trains on the CPU ({@code DeviceChoice})
 */
public record RunSettings(
        Map<String, Object> kafka,
        String defaultDevice,
        int cpuReplicas,
        int tokenizerMaxLength,
        long batchCacheMaxBytes,
        int maxMessageBytes,
        short replicationFactor,
        int runsPartitions,
        String stateTopic,
        String transactionalIdPrefix,
        Duration transactionTimeout) {

    public RunSettings {
        kafka = Map.copyOf(kafka);
    }
}
