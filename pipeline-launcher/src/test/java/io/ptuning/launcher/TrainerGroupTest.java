package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.SafetensorsFile;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two trainer processes in the consumer group {@code ptuning-trainers} on one real broker, with the tiny random BERT:
 * they share runs and sweeps, a trainer killed with SIGKILL has its run resumed by the other, two trainers that claim
 * the same run leave one sequence of checkpoints, and a cancelled run stays cancelled across restarts. Every run ends
 * with the checkpoints of the same request trained alone, byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerGroupTest {

    static final String MODEL = "tiny-bert-group";
    static final int STEPS = 600;
    static final int CHECKPOINT_EVERY = 50;
    static final long PAST_A_FEW_CHECKPOINTS = 130;
    static final int SWEEP_STEPS = 200;

    private EmbeddedKafka kafka;
    private TopicRecords records;
    private TrainerGroup trainers;
    private JsonNode train;
    /** Checkpoints of the reference request trained alone, by step, with the run id blanked. */
    private Map<Long, byte[]> alone;

    @BeforeAll
    void startBrokerPublishAndTrainAlone() throws Exception {
        Path work = Files.createDirectories(Path.of("target")).resolve("trainer-group-test"); // kept for its logs
        deleteRecursively(work);
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "ptuning.model.cache", ModelCache.configuredRoot().toString(),
                // A killed consumer leaves the group when its session expires: keep that short for the test.
                "mp.messaging.incoming.runs.session.timeout.ms", "6000");
        records = new TopicRecords(kafka.bootstrapServers());
        train = publishTrainSplit(repository, common, work);
        trainers = new TrainerGroup(repository, common, work.resolve("logs"));
        trainers.ensure(1);
        RunRequest reference = request("alone");
        send(reference);
        assertThat(records.awaitEnd(reference.runId(), Duration.ofMinutes(3)).state()).isEqualTo(RunStatus.State.COMPLETED);
        alone = new TreeMap<>();
        records.checkpoints(reference.runId()).forEach(c -> alone.put(metadata(c).step(), withoutRunId(c)));
    }

    @AfterAll
    void stop() {
        if (trainers != null) {
            trainers.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aTrainerKilledMidRunHasItsRunResumedByTheOtherWithTheSameCheckpoints() throws Exception {
        trainers.ensure(2);
        RunRequest killed = request("killed");
        send(killed);
        ServiceProcess victim = trainers.awaitExecuting(killed.runId(), Duration.ofMinutes(1));
        long stepAtKill = records.awaitStep(killed.runId(), PAST_A_FEW_CHECKPOINTS, Duration.ofMinutes(3));
        victim.kill();
        List<Long> committedBeforeKill = steps(records.checkpoints(killed.runId()));
        assertThat(committedBeforeKill).isNotEmpty().allMatch(step -> step <= stepAtKill + CHECKPOINT_EVERY);

        RunStatus end = records.awaitEnd(killed.runId(), Duration.ofMinutes(3));

        assertThat(end.state()).as(end.reason()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(trainers.executing(killed.runId())).as("the surviving trainer resumed the run").isPresent();
        long lastCommitted = committedBeforeKill.get(committedBeforeKill.size() - 1);
        assertThat(records.statuses(killed.runId())).extracting(RunStatus::state, RunStatus::step).containsExactly(
                tuple(RunStatus.State.STARTED, 0L),
                tuple(RunStatus.State.RESUMED, lastCommitted),
                tuple(RunStatus.State.COMPLETED, (long) STEPS));
        assertSameCheckpointsAsAlone(killed.runId());
    }

    @Test
    void twoTrainersClaimingTheSameRunLeaveOneSequenceOfCheckpoints() throws Exception {
        trainers.ensure(2);
        RunRequest claimed = request("claimed");
        assertThat(partitions()).as("ptuning.runs as the trainer creates it (trainer.kafka.runs-partitions)").isEqualTo(6);
        int partition = send(claimed).partition();
        ServiceProcess first = trainers.awaitExecuting(claimed.runId(), Duration.ofMinutes(1));
        records.awaitStep(claimed.runId(), PAST_A_FEW_CHECKPOINTS, Duration.ofMinutes(3));
        // The same request once more, on a partition of the other trainer: it claims the run while the first still
        // trains it (what a rebalance that moves a partition mid-run does).
        send(claimed, partitionOfAnotherMember(partition));

        RunStatus end = records.awaitEnd(claimed.runId(), Duration.ofMinutes(3));

        assertThat(end.state()).as(end.reason()).isEqualTo(RunStatus.State.COMPLETED);
        List<ServiceProcess> both = trainers.ensure(2);
        assertThat(both).as("both trainers executed the run").allMatch(t -> knows(t, claimed.runId()));
        assertThat(records.statuses(claimed.runId())).extracting(RunStatus::state)
                .as("the fenced trainer reports nothing: no failure, no second completion")
                .containsExactly(RunStatus.State.STARTED, RunStatus.State.RESUMED, RunStatus.State.COMPLETED);
        assertThat(first.logTail(400)).contains("was taken over by another trainer");
        assertSameCheckpointsAsAlone(claimed.runId());
    }

    @Test
    void aCancelledRunStopsAtItsNextStepAndIsNotResumedAfterTheTrainersRestart() throws Exception {
        List<ServiceProcess> both = trainers.ensure(2);
        RunRequest cancelled = request("cancelled");
        int partition = send(cancelled).partition();
        ServiceProcess training = trainers.awaitExecuting(cancelled.runId(), Duration.ofMinutes(1));
        records.awaitStep(cancelled.runId(), PAST_A_FEW_CHECKPOINTS, Duration.ofMinutes(3));
        ServiceProcess other = both.get(0) == training ? both.get(1) : both.get(0);

        other.post("/runs/" + cancelled.runId() + "/cancel?reason=enough", "", Duration.ofSeconds(30));
        RunStatus end = records.awaitEnd(cancelled.runId(), Duration.ofMinutes(1));

        assertThat(end.state()).isEqualTo(RunStatus.State.CANCELLED);
        assertThat(end.reason()).isEqualTo("enough");
        List<TrainStep> steps = records.steps(cancelled.runId());
        assertThat(steps.get(steps.size() - 1).step()).as("no step after the one where the cancel was seen")
                .isEqualTo(end.step());
        List<Long> checkpointed = steps(records.checkpoints(cancelled.runId()));

        for (ServiceProcess trainer : both) {
            trainer.kill();
        }
        trainers.ensure(2);
        RunRequest behind = request("behind-cancelled").withBudget(CHECKPOINT_EVERY, CHECKPOINT_EVERY);
        send(behind, partition); // handled after anything still pending on the cancelled run's partition
        assertThat(records.awaitEnd(behind.runId(), Duration.ofMinutes(2)).state()).isEqualTo(RunStatus.State.COMPLETED);

        assertThat(records.statuses(cancelled.runId())).extracting(RunStatus::state)
                .containsExactly(RunStatus.State.STARTED, RunStatus.State.CANCELLED);
        assertThat(records.steps(cancelled.runId())).hasSameSizeAs(steps);
        assertThat(steps(records.checkpoints(cancelled.runId()))).isEqualTo(checkpointed);
    }

    @Test
    void aSweepOfFourRunsOnTwoTrainersEndsWithTheCheckpointsOfEachRunTrainedAlone() throws Exception {
        List<ServiceProcess> both = trainers.ensure(2);
        String sweep = """
                {"sweep_id": "four", "grid": {"lr": ["0.05", "0.1"], "seed": ["1", "2"]},
                 "base": {"preset": "ptv2", "overrides": {"psl": "4"}, "base_model": "%s", "batch_topic": "%s",
                          "dataset_version": "%s", "checkpoint_every_steps": %d, "max_steps": %d, "device": "cpu"}}"""
                .formatted(MODEL, train.path("topic").asText(), train.path("datasetVersion").asText(),
                        CHECKPOINT_EVERY, SWEEP_STEPS);

        JsonNode published = new ObjectMapper().readTree(both.get(0).post("/sweeps", sweep, Duration.ofSeconds(30)));
        List<String> runIds = new ArrayList<>();
        published.path("created").forEach(id -> runIds.add(id.asText()));
        assertThat(runIds).containsExactly("four--lr-0_05--seed-1", "four--lr-0_05--seed-2", "four--lr-0_1--seed-1",
                "four--lr-0_1--seed-2");
        for (String runId : runIds) {
            RunStatus end = records.awaitEnd(runId, Duration.ofMinutes(3));
            assertThat(end.state()).as(runId + ": " + end.reason()).isEqualTo(RunStatus.State.COMPLETED);
        }

        for (ServiceProcess trainer : both) {
            assertThat(runIds).as("runs trained by %s", trainer.baseUrl()).anyMatch(id -> knows(trainer, id));
        }
        for (String runId : runIds) {
            String[] lr = runId.split("--lr-")[1].split("--seed-");
            RunRequest alone = RunRequest.of("alone-" + runId.replace("--", "-"), "ptv2",
                    Map.of("psl", "4", "lr", lr[0].replace('_', '.'), "seed", lr[1]), MODEL,
                    train.path("topic").asText(), train.path("datasetVersion").asText())
                    .withBudget(CHECKPOINT_EVERY, SWEEP_STEPS).withDevice("cpu");
            send(alone); // one at a time: nothing else trains meanwhile
            assertThat(records.awaitEnd(alone.runId(), Duration.ofMinutes(3)).state()).isEqualTo(RunStatus.State.COMPLETED);
            List<SafetensorsFile> sweepRun = records.checkpoints(runId);
            List<SafetensorsFile> aloneRun = records.checkpoints(alone.runId());
            assertThat(metadata(sweepRun.get(sweepRun.size() - 1)).last()).isTrue();
            assertThat(withoutRunId(sweepRun.get(sweepRun.size() - 1))).as(runId)
                    .isEqualTo(withoutRunId(aloneRun.get(aloneRun.size() - 1)));
        }
    }

    /** Checkpoint steps strictly increase (no step twice, none interleaved) and every one equals the run alone's. */
    private void assertSameCheckpointsAsAlone(String runId) {
        List<SafetensorsFile> checkpoints = records.checkpoints(runId);
        List<Long> steps = steps(checkpoints);
        assertThat(steps).doesNotHaveDuplicates().isSorted().isEqualTo(List.copyOf(alone.keySet()));
        assertThat(checkpoints).allSatisfy(c -> assertThat(withoutRunId(c))
                .as("checkpoint at step %d", metadata(c).step()).isEqualTo(alone.get(metadata(c).step())));
    }

    private static boolean knows(ServiceProcess trainer, String runId) {
        try {
            return TrainerGroup.knows(trainer, runId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private RunRequest request(String runId) {
        return RunRequest.of(runId, "ptv2", Map.of("psl", "4", "lr", "0.05"), MODEL, train.path("topic").asText(),
                train.path("datasetVersion").asText()).withBudget(CHECKPOINT_EVERY, STEPS).withDevice("cpu");
    }

    private RecordMetadata send(RunRequest request) throws Exception {
        return send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request)));
    }

    private RecordMetadata send(RunRequest request, int partition) throws Exception {
        return send(new ProducerRecord<>(Topics.RUNS, partition, request.runId(), JsonRecords.encode(request)));
    }

    private RecordMetadata send(ProducerRecord<String, byte[]> record) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(record).get();
        }
    }

    /** A partition of {@code ptuning.runs} assigned to a member of the group other than the owner of {@code partition}. */
    private int partitionOfAnotherMember(int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("ptuning-trainers"))
                    .describedGroups().get("ptuning-trainers").get();
            return group.members().stream()
                    .filter(m -> m.assignment().topicPartitions().stream().noneMatch(tp -> tp.partition() == partition))
                    .flatMap(m -> m.assignment().topicPartitions().stream())
                    .filter(tp -> tp.topic().equals(Topics.RUNS))
                    .mapToInt(TopicPartition::partition).findFirst()
                    .orElseThrow(() -> new AssertionError("no other member holds a partition: " + group));
        }
    }

    private int partitions() {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            return producer.partitionsFor(Topics.RUNS).size();
        }
    }

    private static JsonNode publishTrainSplit(Path repository, Map<String, String> common, Path work) throws Exception {
        Map<String, String> properties = new HashMap<>(common);
        properties.put("tokenizer.dataset.dir", System.getProperty("sst2.dir"));
        properties.put("tokenizer.model", MODEL);
        try (ServiceProcess tokenizer = ServiceProcess.start(repository, "tokenizer-service", FreePorts.one(), "1g",
                properties, work.resolve("logs"), LocalCredentials.keptIn(work.resolve("security")))) {
            tokenizer.awaitReady(Duration.ofMinutes(3));
            return new ObjectMapper().readTree(tokenizer.post("/publish/train", "", Duration.ofMinutes(10)));
        }
    }

    private static List<Long> steps(List<SafetensorsFile> checkpoints) {
        return checkpoints.stream().map(c -> metadata(c).step()).toList();
    }

    private static CheckpointMetadata metadata(SafetensorsFile checkpoint) {
        return CheckpointMetadata.from(checkpoint.metadata(), "checkpoint");
    }

    /** The checkpoint's bytes with the run id replaced: what two runs of one request must share. */
    private static byte[] withoutRunId(SafetensorsFile checkpoint) {
        Map<String, String> metadata = new TreeMap<>(checkpoint.metadata());
        metadata.put("run_id", "-");
        return new SafetensorsFile(checkpoint.tensors(), metadata).encode();
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (var paths = Files.walk(folder)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
