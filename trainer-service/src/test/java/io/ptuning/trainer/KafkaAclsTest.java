package io.ptuning.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.bert.BaseModels;
import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.ServiceAcls;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.ptuning.trainer.checkpoint.TrainerStateStore;
import io.ptuning.trainer.kafka.KafkaClients;
import io.ptuning.trainer.kafka.TopicSetup;
import io.ptuning.trainer.run.RunExecutor;
import io.ptuning.trainer.run.RunObserver;
import io.ptuning.trainer.run.RunOutcome;
import io.ptuning.trainer.run.RunSettings;
import io.ptuning.trainer.run.TrainMetricPublisher;
import io.ptuning.weights.cache.ModelCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on a broker that denies by default (KRaft StandardAuthorizer, SCRAM users, {@link ServiceAcls}): with
 * its own user it trains; with the tokenizer's user the broker refuses it, the run says so with what to do, nothing
 * of it is committed, and the same request later trains with the right user.
 */
class KafkaAclsTest {

    static final String TOPIC = Topics.batches("sst2", Split.TRAIN);
    static final String TRAINER = "trainer-service";
    static final String TOKENIZER = "tokenizer-service";
    static final String EVALUATOR = "evaluator-service";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static BaseModels models;
    static String fingerprint;

    @BeforeAll
    static void start() throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(ServiceAcls.tokenizer(ServiceAcls.user(TOKENIZER), "sst2", "tokenizer-service."));
        acls.addAll(ServiceAcls.trainer(ServiceAcls.user(TRAINER), List.of("sst2"), "ptuning.trainer-state",
                "ptuning-trainers", "trainer-service."));
        acls.addAll(ServiceAcls.evaluator(ServiceAcls.user(EVALUATOR), Topics.batches("sst2", Split.VALIDATION),
                "ptuning-evaluators"));
        kafka = EmbeddedKafka.startWithAcls(dir.resolve("kafka"), Map.of(TRAINER, secret(TRAINER),
                TOKENIZER, secret(TOKENIZER), EVALUATOR, secret(EVALUATOR)), acls);
        Path cache = dir.resolve("models");
        fingerprint = TinyModel.write(cache);
        models = new BaseModels(new ModelCache(cache, ModelCache.class.getClassLoader(), ModelCache.localMavenRepository()));
        publishBatchesAsTheTokenizer();
        new TopicSetup(settings(TRAINER)).createTrainerTopics();
    }

    @AfterAll
    static void stop() {
        if (models != null) {
            models.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void withItsOwnUserTheTrainerTrainsAndCommitsCheckpoints() {
        RunOutcome outcome = executor(TRAINER).execute(request("acl-own-user"), RunExecutor.Interruption.NEVER);

        assertThat(outcome.result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(outcome.step()).isEqualTo(3);
        assertThat(checkpointsOf("acl-own-user")).hasSize(1);
    }

    @Test
    void withTheTokenizersUserTheTrainerIsRefusedSaysWhatToDoAndCommitsNothing() {
        RunOutcome refused = executor(TOKENIZER).execute(request("acl-wrong-user"), RunExecutor.Interruption.NEVER);

        assertThat(refused.result()).isEqualTo(RunOutcome.Result.NOT_AUTHORIZED);
        assertThat(refused.finished()).as("the request stays unacknowledged").isFalse();
        assertThat(refused.reason()).contains("the broker refused this trainer's Kafka user")
                .contains("authorization failed").contains("ServiceAcls.trainer");
        assertThat(checkpointsOf("acl-wrong-user")).isEmpty();

        RunOutcome again = executor(TRAINER).execute(request("acl-wrong-user"), RunExecutor.Interruption.NEVER);
        assertThat(again.result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(checkpointsOf("acl-wrong-user")).hasSize(1);
    }

    @Test
    void theBrokerRefusesTheTokenizersUserAWriteToTheCheckpointTopic() {
        try (KafkaProducer<String, byte[]> producer = producer(TOKENIZER)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, "forged", new byte[] {1}))
                    .get()).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(Topics.CHECKPOINTS);
        }
        assertThat(checkpointsOf("forged")).isEmpty();
    }

    @Test
    void withItsOwnUserTheTrainerSetsItsShareGroupsConfigsAndTakesARunRequestFromIt() throws Exception {
        RunSettings settings = settings(TRAINER);
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "ptuning-trainers");
        try (Admin admin = Admin.create(settings.kafka())) {
            admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                    new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = producer(TRAINER)) {
            producer.send(new ProducerRecord<>(Topics.RUNS, "acl-queued", new byte[] {1})).get();
        }
        try (KafkaShareConsumer<String, byte[]> queue = new KafkaClients(settings).shareConsumer("ptuning-trainers")) {
            queue.subscribe(List.of(Topics.RUNS));
            List<String> keys = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!keys.contains("acl-queued") && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : queue.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                    queue.acknowledge(record, AcknowledgeType.ACCEPT);
                }
                queue.commitSync();
            }
            assertThat(keys).contains("acl-queued");
        }
    }

    private static RunRequest request(String runId) {
        return RunRequest.of(runId, "ptv2", Map.of("psl", "4", "lr", "0.1", "epochs", "1"), TinyModel.NAME, TOPIC,
                BatchTopics.VERSION).withDevice("cpu");
    }

    private static RunExecutor executor(String user) {
        RunSettings settings = settings(user);
        KafkaClients clients = new KafkaClients(settings);
        KafkaProducer<String, byte[]> producer = clients.producer();
        return new RunExecutor(clients, models, new BatchRangeReader(clients,
                new DeadLetterPublisher(producer, new TopicSetup(settings)), settings.batchCacheMaxBytes()),
                new TrainerStateStore(clients, settings.stateTopic()), new TrainMetricPublisher(producer), RunObserver.NONE);
    }

    private static RunSettings settings(String user) {
        Map<String, Object> connection = new HashMap<>(EmbeddedKafka.scramClientProperties(user, secret(user)));
        connection.put("bootstrap.servers", kafka.bootstrapServers());
        return new RunSettings(connection, "cpu", 1, TinyModel.MAX_LENGTH, 1L << 30, EmbeddedKafka.MAX_MESSAGE_BYTES,
                (short) 1, 2, "ptuning.trainer-state", "trainer-service.", Duration.ofMinutes(1));
    }

    private static void publishBatchesAsTheTokenizer() throws Exception {
        Map<String, Object> connection = new HashMap<>(EmbeddedKafka.scramClientProperties(TOKENIZER, secret(TOKENIZER)));
        connection.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(connection)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = producer(TOKENIZER)) {
            for (var batch : BatchTopics.synthetic(3, 8, fingerprint, 51)) {
                producer.send(new ProducerRecord<>(TOPIC, 0, BatchTopics.VERSION, BatchRecordCodec.encode(batch))).get();
            }
        }
    }

    /** The checkpoints of {@code runId}, read as the evaluator (the checkpoint topic's reader). */
    private static List<ConsumerRecord<String, byte[]>> checkpointsOf(String runId) {
        Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(EVALUATOR, secret(EVALUATOR)));
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("max.partition.fetch.bytes", EmbeddedKafka.MAX_MESSAGE_BYTES);
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(Topics.CHECKPOINTS, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (runId.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        return found;
    }

    private static KafkaProducer<String, byte[]> producer(String user) {
        Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(user, secret(user)));
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("max.block.ms", 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static String secret(String user) {
        return "secret-of-" + user;
    }
}
