package io.ptuning.trainer.kafka;

import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicCreator;
import io.ptuning.contract.kafka.TopicSpec;
import io.ptuning.trainer.run.RunSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics the trainer writes as the {@link TopicCatalog} lists them (runs and their dead letters,
 * checkpoints, train metrics, its compacted state topic), and brings existing ones to the catalog's configs.
 */
public final class TopicSetup {

    private final RunSettings settings;
    /** Dead-letter topics already ensured by this process: a run that sets many records aside asks once. */
    private final Set<String> deadLettersEnsured = ConcurrentHashMap.newKeySet();

    public TopicSetup(RunSettings settings) {
        this.settings = settings;
    }

    public void createTrainerTopics() {
        ensure(List.of(
                TopicCatalog.runs(settings.runsPartitions()),
                TopicCatalog.deadLetter(Topics.RUNS),
                TopicCatalog.checkpoints(),
                TopicCatalog.trainMetrics(),
                TopicCatalog.trainerState(settings.stateTopic())));
    }

    /** The dead letters of {@code sourceTopic} (a batch topic or {@code ptuning.runs}), created on first use. */
    public void ensureDeadLetterTopic(String sourceTopic) {
        if (deadLettersEnsured.add(sourceTopic)) {
            try {
                ensure(List.of(TopicCatalog.deadLetter(sourceTopic)));
            } catch (RuntimeException e) {
                deadLettersEnsured.remove(sourceTopic);
                throw e;
            }
        }
    }

    private void ensure(List<TopicSpec> topics) {
        try (Admin admin = Admin.create(new HashMap<>(settings.kafka()))) {
            new TopicCreator(admin, String.valueOf(settings.kafka().get("bootstrap.servers")),
                    settings.replicationFactor()).ensure(topics);
        }
    }
}
