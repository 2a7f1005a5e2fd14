package io.ptuning.trainer.kafka;

import io.ptuning.contract.Topics;
import io.ptuning.trainer.run.RunSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics the trainer writes, with {@code max.message.bytes} raised to the clients' limit (Kafka's
 * default is 1 MB; a bert-base prefix checkpoint is ~1.5 MB and its state ~4.5 MB). The state topic is compacted:
 * only the latest progress of a run matters. Existing topics are left as they are.
 */
public final class TopicSetup {

    private final RunSettings settings;

    public TopicSetup(RunSettings settings) {
        this.settings = settings;
    }

    public void createTrainerTopics() {
        String limit = String.valueOf(settings.maxMessageBytes());
        Map<String, String> kept = Map.of("max.message.bytes", limit);
        Map<String, String> compacted = Map.of("max.message.bytes", limit, "cleanup.policy", "compact");
        ensure(List.of(
                new NewTopic(Topics.RUNS, settings.runsPartitions(), settings.replicationFactor()).configs(kept),
                new NewTopic(Topics.CHECKPOINTS, 1, settings.replicationFactor())
                        .configs(Map.of("max.message.bytes", limit, "retention.ms", "-1")),
                new NewTopic(Topics.TRAIN_METRICS, 1, settings.replicationFactor()).configs(kept),
                new NewTopic(settings.stateTopic(), 1, settings.replicationFactor()).configs(compacted),
                new NewTopic(Topics.deadLetter(Topics.RUNS), 1, settings.replicationFactor()).configs(kept)));
    }

    /** A dead-letter topic takes the records of its source topic, so it gets the same size limit. */
    public void ensureDeadLetterTopic(String sourceTopic) {
        ensure(List.of(new NewTopic(Topics.deadLetter(sourceTopic), 1, settings.replicationFactor())
                .configs(Map.of("max.message.bytes", String.valueOf(settings.maxMessageBytes()), "retention.ms", "-1"))));
    }

    private void ensure(List<NewTopic> topics) {
        try (Admin admin = Admin.create(new HashMap<>(settings.kafka()))) {
            Set<String> existing = admin.listTopics().names().get();
            for (NewTopic topic : topics) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                try {
                    admin.createTopics(Set.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + " at "
                                + settings.kafka().get("bootstrap.servers") + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics at " + settings.kafka().get("bootstrap.servers") + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the trainer's topics", e);
        }
    }
}
