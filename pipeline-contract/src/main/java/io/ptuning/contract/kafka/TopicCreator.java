package io.ptuning.contract.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Makes a broker's topics what the {@link TopicCatalog} says: creates the missing ones with their configs, and sets
 * the catalog's configs on existing ones that differ (a work folder or cluster made by an earlier version, whose
 * metric topics had the broker's 7-day retention, is fixed on the next start). The partition count of an existing
 * topic is never changed (adding partitions would move keys between them): a different count is only reported.
 *
 * <p>Needs, on each topic it is given: CREATE, DESCRIBE (implied by READ or WRITE), DESCRIBE_CONFIGS and
 * ALTER_CONFIGS ({@link ServiceAcls} grants them for the topics each service creates).
 */
public final class TopicCreator {

    private static final System.Logger LOG = System.getLogger(TopicCreator.class.getName());

    private final Admin admin;
    private final String where;
    private final short replicationFactor;

    /** {@code bootstrapServers} only names the broker in logs and errors. */
    public TopicCreator(Admin admin, String bootstrapServers, short replicationFactor) {
        this.admin = admin;
        this.where = " at " + bootstrapServers;
        this.replicationFactor = replicationFactor;
    }

    /**
     * Creates the missing topics of {@code topics} and reconciles the existing ones. Another service creating one
     * concurrently is fine (it is then reconciled). Returns what it did and what it left, one sentence each, also
     * logged: created topics and changed configs at INFO, a partition count it will not change at WARNING.
     */
    public List<String> ensure(Collection<TopicSpec> topics) {
        Set<String> existing = TopicAudit.topicNames(admin, where + " to create or reconcile "
                + topics.stream().map(TopicSpec::name).toList());
        List<String> report = new ArrayList<>();
        List<TopicSpec> toReconcile = new ArrayList<>();
        for (TopicSpec spec : topics) {
            if (existing.contains(spec.name()) || !create(spec)) {
                toReconcile.add(spec);
            } else {
                report.add(log(System.Logger.Level.INFO, "created topic " + spec.name() + where + " with "
                        + spec.partitions() + " partition(s) and " + new java.util.TreeMap<>(spec.configs())));
            }
        }
        Map<String, TopicAudit.Observed> observed = TopicAudit.observe(admin,
                toReconcile.stream().map(TopicSpec::name).toList(), where);
        for (TopicSpec spec : toReconcile) {
            report.addAll(reconcile(spec, observed.get(spec.name())));
        }
        return report;
    }

    /** False when another client created it first. */
    private boolean create(TopicSpec spec) {
        try {
            admin.createTopics(List.of(spec.newTopic(replicationFactor))).all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("cannot create topic " + spec.name() + where + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + spec.name() + where
                    + ": no answer from the broker in 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + spec.name() + where, e);
        }
    }

    private List<String> reconcile(TopicSpec spec, TopicAudit.Observed actual) {
        List<String> report = new ArrayList<>();
        if (actual.partitions() != spec.partitions()) {
            report.add(log(System.Logger.Level.WARNING, "topic " + spec.name() + where + " has " + actual.partitions()
                    + " partition(s), the catalog says " + spec.partitions() + "; left as it is (changing the count"
                    + " would move keys between partitions)"));
        }
        List<AlterConfigOp> changes = new ArrayList<>();
        List<String> described = new ArrayList<>();
        spec.configs().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String value = actual.configs().get(e.getKey());
            if (!e.getValue().equals(value)) {
                changes.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET));
                described.add(e.getKey() + " " + value + " -> " + e.getValue());
            }
        });
        if (changes.isEmpty()) {
            return report;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        TopicAudit.await(admin.incrementalAlterConfigs(Map.of(resource, changes)).all(),
                "set " + described + " on topic " + spec.name() + where + " (needs ALTER_CONFIGS on it)");
        report.add(log(System.Logger.Level.INFO, "reconciled topic " + spec.name() + where + " with the catalog: "
                + String.join(", ", described)));
        return report;
    }

    private static String log(System.Logger.Level level, String message) {
        LOG.log(level, message);
        return message;
    }
}
