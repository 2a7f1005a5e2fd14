package io.ptuning.deploy;

import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicSpec;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checkout the deployment files live in, and what the services and the contract say that they must match:
 * topics ({@link TopicCatalog}), HTTP ports, and each service's {@code application.properties}.
 */
final class PipelineRepository {

    /** The three services and their HTTP ports (evaluator 8080 with the dashboard, tokenizer 8081, trainer 8082). */
    static final Map<String, Integer> SERVICE_PORTS = orderedPorts();
    static final String IMAGE_TAG = "0.1.0-SNAPSHOT";
    static final String DATASET = "sst2";
    /** The broker's and every topic's record limit (checkpoints and trainer state are MBs). */
    static final long CHECKPOINT_MESSAGE_BYTES = TopicCatalog.MAX_MESSAGE_BYTES;

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

    /**
     * The {@link TopicCatalog} of the deployed pipeline: {@link #DATASET}, with the trainer's
     * {@code trainer.kafka.runs-partitions} and {@code trainer.kafka.state-topic} from its application.properties
     * (the defaults of its configuration when unset), by topic name.
     */
    static Map<String, TopicSpec> catalog() {
        Properties trainer = applicationProperties("trainer-service").orElseGet(Properties::new);
        int runsPartitions = Integer.parseInt(trainer.getProperty("trainer.kafka.runs-partitions",
                String.valueOf(TopicCatalog.RUNS_PARTITIONS)));
        String stateTopic = trainer.getProperty("trainer.kafka.state-topic", TopicCatalog.TRAINER_STATE);
        Map<String, TopicSpec> topics = new TreeMap<>();
        TopicCatalog.all(DATASET, runsPartitions, stateTopic).forEach(spec -> topics.put(spec.name(), spec));
        return topics;
    }

    /**
     * How the topics a deployment file declares (name to partitions and configs) differ from the {@link #catalog()}:
     * one sentence per difference, naming {@code file}, the topic and the key; empty when they match. A file states
     * every config the catalog sets and no other, so a reader sees the whole topic there.
     */
    static List<String> catalogDifferences(String file, Map<String, Integer> partitions, Map<String, Map<String, String>> configs) {
        Map<String, TopicSpec> catalog = catalog();
        List<String> found = new ArrayList<>();
        catalog.keySet().stream().filter(name -> !partitions.containsKey(name))
                .forEach(name -> found.add(file + ": topic " + name + " is missing (TopicCatalog lists it: "
                        + catalog.get(name).why() + ")"));
        new TreeSet<>(partitions.keySet()).stream().filter(name -> !catalog.containsKey(name))
                .forEach(name -> found.add(file + ": topic " + name + " is not in TopicCatalog (no service uses it;"
                        + " add it there first if one does)"));
        for (TopicSpec spec : catalog.values()) {
            if (!partitions.containsKey(spec.name())) {
                continue;
            }
            String where = file + ": topic " + spec.name() + ": ";
            if (partitions.get(spec.name()) != spec.partitions()) {
                found.add(where + "partitions is " + partitions.get(spec.name()) + ", TopicCatalog says " + spec.partitions());
            }
            Map<String, String> declared = configs.get(spec.name());
            new TreeMap<>(spec.configs()).forEach((key, value) -> {
                if (!declared.containsKey(key)) {
                    found.add(where + key + " is not set, TopicCatalog says " + value);
                } else if (!declared.get(key).equals(value)) {
                    found.add(where + key + " is " + declared.get(key) + ", TopicCatalog says " + value);
                }
            });
            new TreeSet<>(declared.keySet()).stream().filter(key -> !spec.configs().containsKey(key))
                    .forEach(key -> found.add(where + key + " is set, TopicCatalog does not set it"));
        }
        return found;
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
