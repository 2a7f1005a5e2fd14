package io.ptuning.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.ServiceAcls;
import io.ptuning.contract.kafka.TopicAudit;
import io.ptuning.contract.kafka.TopicCatalog;
import io.ptuning.contract.kafka.TopicCreator;
import io.ptuning.contract.kafka.TopicSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog on a real broker: created as listed, an earlier version's topics reconciled, then audited clean. */
class TopicCatalogTest {

    static final String DATASET = "sst2";
    /** What Kafka deletes by when a topic sets nothing: 7 days, the retention run history used to get. */
    static final String BROKER_DEFAULT_RETENTION = "604800000";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static Admin admin;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(dir);
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void topicsMadeByAnEarlierVersionAreReconciledAndTheAuditThenFindsNothing() throws Exception {
        // As TopicSetup made them before the catalog: only max.message.bytes, so the broker's 7-day retention.
        admin.createTopics(List.of(
                new NewTopic(Topics.TRAIN_METRICS, 1, (short) 1).configs(Map.of("max.message.bytes", "16777216")),
                new NewTopic(Topics.deadLetter(Topics.RUNS), 1, (short) 1).configs(Map.of("retention.ms", "86400000",
                        "max.message.bytes", "1048588")))).all().get();
        assertThat(TopicCatalog.differences(admin, DATASET))
                .contains(Topics.TRAIN_METRICS + ": retention.ms is " + BROKER_DEFAULT_RETENTION
                        + " on the broker, the catalog says -1")
                .contains(Topics.RUNS + ": missing (created at start-up by [trainer-service])");

        List<TopicSpec> everything = TopicCatalog.all(DATASET);
        List<String> report = new TopicCreator(admin, kafka.bootstrapServers(), (short) 1).ensure(everything);

        assertThat(report).contains("reconciled topic " + Topics.TRAIN_METRICS + " at " + kafka.bootstrapServers()
                + " with the catalog: retention.ms " + BROKER_DEFAULT_RETENTION + " -> -1");
        assertThat(report).anyMatch(line -> line.startsWith("reconciled topic " + Topics.deadLetter(Topics.RUNS))
                && line.contains("max.message.bytes 1048588 -> 16777216") && line.contains("retention.ms 86400000 -> -1"));
        assertThat(report).filteredOn(line -> line.startsWith("created topic ")).hasSize(everything.size() - 2);
        assertThat(TopicCatalog.differences(admin, DATASET)).isEmpty();
        assertThat(new TopicCreator(admin, kafka.bootstrapServers(), (short) 1).ensure(everything))
                .as("a second start changes nothing").isEmpty();
    }

    @Test
    void aServiceReconcilesItsTopicsWithNoMoreThanItsServiceAcls(@TempDir Path aclDir) throws Exception {
        String evaluator = "evaluator-service";
        String earlier = "earlier-version";
        List<AclBinding> acls = new ArrayList<>(ServiceAcls.evaluator(ServiceAcls.user(evaluator),
                Topics.batches(DATASET, Split.VALIDATION), "ptuning-evaluators"));
        acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, Topics.TRAIN_METRICS, PatternType.LITERAL),
                new AccessControlEntry(ServiceAcls.user(earlier), "*", AclOperation.CREATE, AclPermissionType.ALLOW)));
        try (EmbeddedKafka broker = EmbeddedKafka.startWithAcls(aclDir, Map.of(evaluator, "e-secret", earlier, "x-secret"), acls)) {
            try (Admin old = Admin.create(client(broker, earlier, "x-secret"))) {
                old.createTopics(List.of(new NewTopic(Topics.TRAIN_METRICS, 1, (short) 1))).all().get();
            }
            List<TopicSpec> evaluatorTopics = List.of(TopicCatalog.trainMetrics(), TopicCatalog.evalMetrics(),
                    TopicCatalog.deadLetter(Topics.CHECKPOINTS));
            try (Admin service = Admin.create(client(broker, evaluator, "e-secret"))) {
                List<String> report = new TopicCreator(service, broker.bootstrapServers(), (short) 1).ensure(evaluatorTopics);

                assertThat(report).anyMatch(line -> line.startsWith("reconciled topic " + Topics.TRAIN_METRICS)
                        && line.contains("retention.ms " + BROKER_DEFAULT_RETENTION + " -> -1"));
                assertThat(TopicAudit.differences(service, evaluatorTopics)).isEmpty();
            }
        }
    }

    private static Map<String, Object> client(EmbeddedKafka broker, String user, String password) {
        Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(user, password));
        props.put("bootstrap.servers", broker.bootstrapServers());
        return props;
    }

    @Test
    void aPartitionCountThatDiffersIsReportedAndLeftAsItIs() throws Exception {
        String batches = Topics.batches("partitioned", Split.TRAIN);
        admin.createTopics(List.of(new NewTopic(batches, 3, (short) 1))).all().get();

        List<String> report = new TopicCreator(admin, kafka.bootstrapServers(), (short) 1)
                .ensure(List.of(TopicCatalog.batches(batches)));

        assertThat(report).anyMatch(line -> line.startsWith("topic " + batches + " at " + kafka.bootstrapServers()
                + " has 3 partition(s), the catalog says 1; left as it is"));
        assertThat(admin.describeTopics(List.of(batches)).allTopicNames().get().get(batches).partitions()).hasSize(3);
    }

    @Test
    void theStateTopicIsCompactedAndEveryOtherKeepsItsRecordsForever() {
        for (TopicSpec spec : TopicCatalog.all(DATASET, 4, "my.trainer-state")) {
            boolean state = spec.name().equals("my.trainer-state");
            assertThat(spec.configs()).as(spec.name())
                    .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, state ? "compact" : "delete")
                    .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1")
                    .containsEntry(TopicConfig.RETENTION_BYTES_CONFIG, "-1")
                    .containsEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(EmbeddedKafka.MAX_MESSAGE_BYTES));
            assertThat(spec.why()).as(spec.name()).isNotBlank();
            assertThat(spec.partitions()).as(spec.name()).isEqualTo(spec.name().equals(Topics.RUNS) ? 4 : 1);
        }
    }
}
