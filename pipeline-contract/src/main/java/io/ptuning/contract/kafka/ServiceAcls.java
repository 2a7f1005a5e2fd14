package io.ptuning.contract.kafka;

import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each service may do on a broker that denies by default (KRaft {@code StandardAuthorizer}): the ACLs of its
 * principal, built from the topics, consumer groups and transactional ids in the service's configuration. The
 * embedded broker applies them in tests and the local run, and {@code deploy-tests} checks the Strimzi KafkaUsers
 * against them. Kafka's READ and WRITE imply DESCRIBE. A service creates its topics from the {@link TopicCatalog} with
 * {@link TopicCreator}, which needs CREATE and, to reconcile an existing topic's configs with the catalog,
 * DESCRIBE_CONFIGS and ALTER_CONFIGS: {@link Acls#creates} grants the three together.
 */
public final class ServiceAcls {

    private ServiceAcls() {}

    /**
     * The tokenizer-service writes {@code <dataset>.batches.<split>} (creating them, reading them back to find the
     * versions already published) in transactions whose ids start with {@code transactionalIdPrefix}.
     */
    public static List<AclBinding> tokenizer(String principal, String dataset, String transactionalIdPrefix) {
        Acls acls = new Acls(principal);
        for (Split split : Split.values()) {
            acls.creates(Topics.batches(dataset, split), AclOperation.READ, AclOperation.WRITE);
        }
        acls.transactionalIds(transactionalIdPrefix);
        return acls.bindings();
    }

    /**
     * The trainer-service reads the batch topics of {@code datasets} and {@code ptuning.runs} (share group
     * {@code runsGroup}, whose settings it sets at start-up: the run queue), writes run requests (REST), checkpoints, its state, train metrics and its dead letters, in
     * transactions whose ids start with {@code transactionalIdPrefix}.
     */
    public static List<AclBinding> trainer(String principal, List<String> datasets, String stateTopic,
            String runsGroup, String transactionalIdPrefix) {
        Acls acls = new Acls(principal);
        for (String dataset : datasets) {
            for (Split split : Split.values()) {
                String batches = Topics.batches(dataset, split);
                acls.topic(batches, AclOperation.READ);
                acls.creates(Topics.deadLetter(batches), AclOperation.WRITE);
            }
        }
        acls.creates(Topics.RUNS, AclOperation.READ, AclOperation.WRITE);
        acls.shareGroup(runsGroup);
        acls.creates(Topics.deadLetter(Topics.RUNS), AclOperation.WRITE);
        acls.creates(Topics.CHECKPOINTS, AclOperation.WRITE);
        acls.creates(stateTopic, AclOperation.READ, AclOperation.WRITE);
        acls.creates(Topics.TRAIN_METRICS, AclOperation.WRITE);
        acls.transactionalIds(transactionalIdPrefix);
        return acls.bindings();
    }

    /**
     * The evaluator-service reads checkpoints (group {@code checkpointsGroup}), both metric topics (run history) and
     * the validation split, and writes evaluation metrics and the checkpoints' dead letters. It creates the metric
     * topics when they are missing at start-up, the trainer's too, so that its history replay can begin. It reads
     * {@code ptuning.runs} without a group (the sweeps the trainers accepted, for the leaderboard) and writes the
     * median stopping rule's cancels to it.
     */
    public static List<AclBinding> evaluator(String principal, String validationTopic, String checkpointsGroup) {
        Acls acls = new Acls(principal);
        acls.topic(Topics.CHECKPOINTS, AclOperation.READ);
        acls.group(checkpointsGroup);
        acls.creates(Topics.TRAIN_METRICS, AclOperation.READ);
        acls.creates(Topics.EVAL_METRICS, AclOperation.READ, AclOperation.WRITE);
        acls.topic(validationTopic, AclOperation.READ);
        acls.creates(Topics.deadLetter(Topics.CHECKPOINTS), AclOperation.WRITE);
        acls.topic(Topics.RUNS, AclOperation.READ, AclOperation.WRITE);
        return acls.bindings();
    }

    /**
     * A person's or the launcher's client: sends run requests, lists the runs requested and refused (to resume an
     * unfinished one) and follows runs (metric topics, checkpoints), without a consumer group.
     */
    public static List<AclBinding> operator(String principal) {
        Acls acls = new Acls(principal);
        acls.topic(Topics.RUNS, AclOperation.READ, AclOperation.WRITE);
        acls.topic(Topics.deadLetter(Topics.RUNS), AclOperation.READ);
        acls.topic(Topics.TRAIN_METRICS, AclOperation.READ);
        acls.topic(Topics.EVAL_METRICS, AclOperation.READ);
        acls.topic(Topics.CHECKPOINTS, AclOperation.READ);
        return acls.bindings();
    }

    /** {@code User:name}, the principal of a SCRAM user. */
    public static String user(String name) {
        return "User:" + name;
    }

    /** Collects allow rules for one principal, from any host. */
    private static final class Acls {

        private final String principal;
        private final List<AclBinding> bindings = new ArrayList<>();

        Acls(String principal) {
            this.principal = principal;
        }

        void topic(String name, AclOperation... operations) {
            add(new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), operations);
        }

        /** {@code operations} on a topic this service creates, and what creating and reconciling it takes. */
        void creates(String name, AclOperation... operations) {
            topic(name, operations);
            topic(name, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        }

        void group(String name) {
            add(new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL), AclOperation.READ);
        }

        /**
         * A share group the service takes records in (READ on the GROUP resource, as for a consumer group: Kafka's
         * authorizer has no resource type of its own for share groups) and whose group configs it sets.
         */
        void shareGroup(String name) {
            add(new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL), AclOperation.READ,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        }

        void transactionalIds(String prefix) {
            add(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED), AclOperation.WRITE,
                    AclOperation.DESCRIBE);
        }

        private void add(ResourcePattern pattern, AclOperation... operations) {
            Arrays.stream(operations).forEach(operation -> bindings.add(new AclBinding(pattern,
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW))));
        }

        List<AclBinding> bindings() {
            return List.copyOf(bindings);
        }
    }
}
