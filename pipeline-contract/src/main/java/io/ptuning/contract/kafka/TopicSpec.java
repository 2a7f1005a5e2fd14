package io.ptuning.contract.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One topic of the {@link TopicCatalog}: its name, partition count, the topic configs the project sets on it, the
 * services that create it, whether they create it at start-up or on first use, and why it is kept the way it is.
 *
 * @param name the topic's name
 * @param partitions partitions it is created with (an existing topic's count is never changed)
 * @param configs the topic-level configs set on creation and reconciled on every start, e.g. {@code retention.ms}
 * @param createdBy the services that create it ({@code tokenizer-service}, {@code trainer-service}, ...)
 * @param onDemand true when it is created on first use (a dead letter, a published split), not at start-up: its
 *        absence is then no fault
 * @param why one line: why these partitions and this retention
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs, Set<String> createdBy,
        boolean onDemand, String why) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, not " + partitions);
        }
        configs = Map.copyOf(configs);
        createdBy = Set.copyOf(createdBy);
        Objects.requireNonNull(why, "why");
    }

    /** The request that creates this topic with its configs. */
    public NewTopic newTopic(short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }

    /**
     * How a topic on the broker with {@code actualPartitions} partitions and the effective configs {@code actual}
     * differs from this spec: one sentence per difference, naming the topic and the key; empty when it matches.
     */
    public List<String> differences(int actualPartitions, Map<String, String> actual) {
        List<String> found = new ArrayList<>();
        if (actualPartitions != partitions) {
            found.add(name + ": partitions is " + actualPartitions + " on the broker, the catalog says " + partitions);
        }
        configs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String value = actual.get(e.getKey());
            if (!e.getValue().equals(value)) {
                found.add(name + ": " + e.getKey() + " is " + value + " on the broker, the catalog says " + e.getValue());
            }
        });
        return found;
    }
}
