package io.ptuning.contract.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Reads what a broker really has for some topics (partitions from describeTopics, EFFECTIVE configs from
 * describeConfigs, broker defaults included) and compares it with their {@link TopicSpec}s.
 */
public final class TopicAudit {

    private static final long TIMEOUT_SECONDS = 30;

    private TopicAudit() {
    }

    /**
     * How the broker differs from {@code specs}: one sentence per difference naming the topic and the key, and one
     * for each topic created at start-up that is missing ({@link TopicSpec#onDemand} topics may be absent).
     */
    public static List<String> differences(Admin admin, Collection<TopicSpec> specs) {
        Set<String> existing = topicNames(admin, "");
        List<String> found = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                present.add(spec.name());
            } else if (!spec.onDemand()) {
                found.add(spec.name() + ": missing (created at start-up by " + new TreeSet<>(spec.createdBy()) + ")");
            }
        }
        Map<String, Observed> observed = observe(admin, present, "");
        for (TopicSpec spec : specs) {
            Observed topic = observed.get(spec.name());
            if (topic != null) {
                found.addAll(spec.differences(topic.partitions(), topic.configs()));
            }
        }
        return found;
    }

    /** The broker's topics, internal ones left out, sorted; {@code where} (" at host:port") goes into errors. */
    static Set<String> topicNames(Admin admin, String where) {
        return new TreeSet<>(await(admin.listTopics().names(), "list the topics" + where));
    }

    /** A topic as the broker has it: its partition count and every config's effective value. */
    record Observed(int partitions, Map<String, String> configs) {
    }

    /** Partitions and effective configs of {@code topics}, which must exist; {@code where} goes into errors. */
    static Map<String, Observed> observe(Admin admin, Collection<String> topics, String where) {
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> descriptions = new HashMap<>();
        admin.describeTopics(topics).topicNameValues().forEach((name, future) ->
                descriptions.put(name, await(future, "describe topic " + name + where)));
        List<ConfigResource> resources = topics.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<String, Observed> observed = new HashMap<>();
        admin.describeConfigs(resources).values().forEach((resource, future) -> {
            Config config = await(future, "read the configs of topic " + resource.name() + where
                    + " (needs DESCRIBE_CONFIGS on it)");
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.value() != null) {
                    values.put(entry.name(), entry.value());
                }
            }
            observed.put(resource.name(), new Observed(descriptions.get(resource.name()).partitions().size(), values));
        });
        return observed;
    }

    /** Waits for an admin call; {@code what} says which, for the error. */
    static <T> T await(Future<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": no answer from the broker in " + TIMEOUT_SECONDS
                    + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what, e);
        }
    }
}
