package io.ptuning.trainer.run;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link RunExecutor} needs to know, as plain values (from {@code TrainerConfig} in the service).
 *
 * @param kafka client properties, at least {@code bootstrap.servers}
 * @param defaultDevice the device of runs whose request says {@code auto}
 */
public record RunSettings(
        Map<String, Object> kafka,
        String defaultDevice,
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
