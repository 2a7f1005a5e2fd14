package io.ptuning.deploy;

import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checkout the deployment files live in, and what the services and the contract say that they must match:
 * topic names ({@link Topics}), HTTP ports, and each service's {@code application.properties}.
 */
final class PipelineRepository {

    /** The three services and their HTTP ports (evaluator 8080 with the dashboard, tokenizer 8081, trainer 8082). */
    static final Map<String, Integer> SERVICE_PORTS = orderedPorts();
    static final String IMAGE_TAG = "0.1.0-SNAPSHOT";
    static final String DATASET = "sst2";
    /** Compacted: the trainer's resumable state per run (the issue's topic list; not yet a Topics constant). */
    static final String TRAINER_STATE = "ptuning.trainer-state";
    static final long CHECKPOINT_MESSAGE_BYTES = 16L * 1024 * 1024;

    private PipelineRepository() {
    }

    static Path root() {
        String dir = System.getProperty("ptuning.repo.dir");
        if (dir == null) {
            throw new IllegalStateException("system property ptuning.repo.dir is not set: run through Maven"
                    + " (deploy-tests/pom.xml sets it to the repository root)");
        }
        return Path.of(dir);
    }

    static Path file(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist");
        }
        return path;
    }

    /** Batch topics of every split, the run/checkpoint/metric topics, trainer state, and the dead-letter topics. */
    static Set<String> pipelineTopics() {
        Set<String> topics = new TreeSet<>(primaryTopics());
        topics.addAll(deadLetterTopics());
        return topics;
    }

    static Set<String> primaryTopics() {
        Set<String> topics = new TreeSet<>();
        for (Split split : Split.values()) {
            topics.add(Topics.batches(DATASET, split));
        }
        topics.addAll(Set.of(Topics.RUNS, Topics.CHECKPOINTS, Topics.TRAIN_METRICS, Topics.EVAL_METRICS, TRAINER_STATE));
        return topics;
    }

    /** Where the consumers send what they cannot decode: every consumed topic but the test split and trainer state. */
    static Set<String> deadLetterTopics() {
        Set<String> topics = new TreeSet<>();
        for (String consumed : Set.of(Topics.batches(DATASET, Split.TRAIN), Topics.batches(DATASET, Split.VALIDATION),
                Topics.RUNS, Topics.CHECKPOINTS, Topics.TRAIN_METRICS, Topics.EVAL_METRICS)) {
            topics.add(Topics.deadLetter(consumed));
        }
        return topics;
    }

    static boolean isBatchTopic(String topic) {
        return topic.startsWith(DATASET + ".batches.") && !topic.endsWith(".dlq");
    }

    /** Topics whose records are checkpoints, batches or their dead letters: megabytes each. */
    static boolean carriesLargeRecords(String topic) {
        return isBatchTopic(topic) || topic.equals(Topics.CHECKPOINTS) || topic.equals(TRAINER_STATE) || topic.endsWith(".dlq");
    }

    /** A service's {@code src/main/resources/application.properties}, if that service module exists in this checkout. */
    static Optional<Properties> applicationProperties(String service) {
        Path file = root().resolve(service).resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return Optional.of(props);
    }

    /**
     * Topic names a service's configuration names: values of properties whose key ends in {@code topic} or
     * {@code topics} (SmallRye channels {@code mp.messaging.*.topic}, {@code trainer.*-topic}...), split on commas,
     * leaving out values that are expressions ({@code ${...}}) or patterns, and Kafka's switch
     * {@code allow.auto.create.topics}.
     */
    static Set<String> configuredTopics(Properties props) {
        Set<String> topics = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            String bare = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            if (bare.startsWith("%test") || key.startsWith("%test.") || key.startsWith("%dev.")) {
                continue;
            }
            String lower = bare.toLowerCase();
            if ((lower.endsWith("topic") || lower.endsWith("topics")) && !lower.endsWith("auto.create.topics")) {
                for (String value : props.getProperty(key).split(",")) {
                    String topic = value.trim();
                    if (!topic.isEmpty() && !topic.contains("${") && !topic.contains("*")) {
                        topics.add(topic);
                    }
                }
            }
        }
        return topics;
    }

    private static Map<String, Integer> orderedPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("tokenizer-service", 8081);
        ports.put("trainer-service", 8082);
        ports.put("evaluator-service", 8080);
        return Map.copyOf(ports);
    }
}
