package io.ptuning.contract.kafka;

import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every topic the pipeline uses, with its partitions and configs, who creates it and why it is kept as it is: the one
 * list the services create their topics from ({@link TopicCreator}), tests audit a broker against
 * ({@link #differences}), and deploy-tests hold docker-compose.yml and the Strimzi KafkaTopics to.
 *
 * <p>Nothing the project writes expires: Kafka is the system of record (DESIGN.md "Runs are replays"), so every topic
 * sets {@code retention.ms} and {@code retention.bytes} to -1 itself rather than trusting the broker's
 * {@code log.retention.*} (7 days by default, which deleted run history after a week). The one compacted topic is
 * the trainer's state, where a newer record of a run supersedes the older. Every topic takes records up to
 * {@link #MAX_MESSAGE_BYTES}, the limit of the services' clients, so a record that leaves a producer fits any topic
 * and the dead letter it may end in.
 */
public final class TopicCatalog {

    /** Largest record on any topic (checkpoints ~1.5 MB, trainer state ~4.5 MB for bert-base), as the clients' limit. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /**
     * Partitions of {@code ptuning.runs} unless the trainer's {@code trainer.kafka.runs-partitions} says otherwise. One:
     * a share group gives each partition to one member while members are no more than partitions, and a trainer busy
     * with a run fetches nothing; with one partition every trainer fetches from it, so any idle trainer takes the next
     * request (Kafka's SimpleAssignor shares a partition among members only when members outnumber partitions).
     */
    public static final int RUNS_PARTITIONS = 1;
    /** The trainer's state topic unless {@code trainer.kafka.state-topic} says otherwise. */
    public static final String TRAINER_STATE = "ptuning.trainer-state";

    public static final String TOKENIZER = "tokenizer-service";
    public static final String TRAINER = "trainer-service";
    public static final String EVALUATOR = "evaluator-service";

    /** Kept forever: -1 for both limits Kafka deletes by. */
    private static final String FOREVER = "-1";

    private TopicCatalog() {
    }

    /** Every topic of a pipeline on {@code dataset} with the trainer's defaults (6 runs partitions, its state topic). */
    public static List<TopicSpec> all(String dataset) {
        return all(dataset, RUNS_PARTITIONS, TRAINER_STATE);
    }

    /** Every topic of a pipeline on {@code dataset}: batches and their dead letters, runs, checkpoints, metrics, state. */
    public static List<TopicSpec> all(String dataset, int runsPartitions, String stateTopic) {
        List<TopicSpec> topics = new ArrayList<>();
        for (Split split : Split.values()) {
            String batches = Topics.batches(dataset, split);
            topics.add(batches(batches));
            topics.add(deadLetter(batches));
        }
        topics.add(runs(runsPartitions));
        topics.add(deadLetter(Topics.RUNS));
        topics.add(checkpoints());
        topics.add(deadLetter(Topics.CHECKPOINTS));
        topics.add(trainMetrics());
        topics.add(evalMetrics());
        topics.add(trainerState(stateTopic));
        return List.copyOf(topics);
    }

    /** A batch topic, {@code <dataset>.batches.<split>}, or whatever batch topic a run request names. */
    public static TopicSpec batches(String topic) {
        return new TopicSpec(topic, 1, deleteNever(), Set.of(TOKENIZER), true,
                "the system of record: every run, resume and replay reads its batches by dataset version and offset,"
                        + " so they are kept forever; one partition keeps the order a run replays");
    }

    /** Run requests, sweeps and cancels. */
    public static TopicSpec runs(int partitions) {
        return new TopicSpec(Topics.RUNS, partitions, deleteNever(), Set.of(TRAINER), false,
                "every run and sweep ever asked and every cancel: a run is repeated by replaying its request and the"
                        + " leaderboard reads the sweeps, so they are kept forever; one partition, which every trainer of"
                        + " the run queue's share group fetches from");
    }

    /** The trainable tensors of every run. */
    public static TopicSpec checkpoints() {
        return new TopicSpec(Topics.CHECKPOINTS, 1, deleteNever(), Set.of(TRAINER), false,
                "what a run produces: the evaluator and predict load a run's checkpoints at any later time, so they"
                        + " are kept forever; one evaluator reads them all, so one partition");
    }

    /** Training metrics and run status events. */
    public static TopicSpec trainMetrics() {
        return new TopicSpec(Topics.TRAIN_METRICS, 1, deleteNever(), Set.of(TRAINER, EVALUATOR), false,
                "run history: the evaluator rebuilds every run, the dashboard and the sweeps' leaderboard from it at"
                        + " each start, so it is kept forever; the evaluator creates it too, to start replaying before"
                        + " any trainer ran");
    }

    /** Evaluation results. */
    public static TopicSpec evalMetrics() {
        return new TopicSpec(Topics.EVAL_METRICS, 1, deleteNever(), Set.of(EVALUATOR), false,
                "run history: the evaluator rebuilds every run's scores from it at each start and skips a checkpoint"
                        + " already scored there, so it is kept forever");
    }

    /**
     * The trainer's state topic ({@code trainer.kafka.state-topic}): compacted. The trainer writes no tombstones, so
     * {@code delete.retention.ms} (how long a tombstone stays) is left at the broker's default.
     */
    public static TopicSpec trainerState(String name) {
        Map<String, String> configs = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.RETENTION_MS_CONFIG, FOREVER,
                TopicConfig.RETENTION_BYTES_CONFIG, FOREVER,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        return new TopicSpec(name, 1, configs, Set.of(TRAINER), false,
                "compacted: a restarted trainer resumes a run from its latest state only (tensors, AdamW moments,"
                        + " step), and compaction keeps exactly that per run; retention -1 is moot for a compacted"
                        + " topic and says so should delete ever be added");
    }

    /**
     * The dead letters of {@code sourceTopic}: those of {@code ptuning.runs} (trainer) and {@code ptuning.checkpoints}
     * (evaluator) are created at start-up, any other source is a batch topic whose dead letters the trainer creates
     * when it first sets a record aside.
     */
    public static TopicSpec deadLetter(String sourceTopic) {
        String name = Topics.deadLetter(sourceTopic);
        String why = "records that could not be used, with the reason: nothing else holds them, so they are kept"
                + " forever, until a person has fixed and re-published them";
        return switch (sourceTopic) {
            case Topics.RUNS -> new TopicSpec(name, 1, deleteNever(), Set.of(TRAINER), false, why);
            case Topics.CHECKPOINTS -> new TopicSpec(name, 1, deleteNever(), Set.of(EVALUATOR), false, why);
            case Topics.TRAIN_METRICS, Topics.EVAL_METRICS -> throw new IllegalArgumentException(
                    "no service dead-letters " + sourceTopic + ": add its dead-letter topic to TopicCatalog first");
            default -> new TopicSpec(name, 1, deleteNever(), Set.of(TRAINER), true, why);
        };
    }

    /**
     * How the broker behind {@code admin} differs from {@link #all(String) the catalog} of {@code dataset}: a topic
     * whose partitions or effective configs differ, one created at start-up that is missing, and any topic named
     * {@code ptuning.*} or {@code <dataset>.*} that the catalog does not list. Empty when all match. Needs DESCRIBE
     * and DESCRIBE_CONFIGS on the topics (an admin or super user).
     */
    public static List<String> differences(Admin admin, String dataset) {
        List<TopicSpec> catalog = all(dataset);
        List<String> found = new ArrayList<>(TopicAudit.differences(admin, catalog));
        Set<String> listed = new TreeSet<>();
        catalog.forEach(spec -> listed.add(spec.name()));
        for (String topic : TopicAudit.topicNames(admin, "")) {
            if ((topic.startsWith("ptuning.") || topic.startsWith(dataset + ".")) && !listed.contains(topic)) {
                found.add(topic + ": on the broker but not in TopicCatalog");
            }
        }
        return found;
    }

    private static Map<String, String> deleteNever() {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, FOREVER,
                TopicConfig.RETENTION_BYTES_CONFIG, FOREVER,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
    }
}
