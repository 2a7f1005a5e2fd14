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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two trainer processes taking runs from one queue (the share group {@code ptuning-trainers}) on one real broker, with
 * the tiny random BERT: an idle trainer takes the next request whatever its partition, so runs never wait behind a
 * busy trainer while another idles; they share runs and sweeps, a trainer killed with SIGKILL has its run resumed by
 * the other once its lock lapses, two trainers that claim the same run leave one sequence of checkpoints, and a
 * cancelled run stays cancelled across restarts. Every run ends with the checkpoints of the same request trained
 * alone, byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerGroupTest {

    static final String MODEL = "tiny-bert-group";
    static final int STEPS = 600;
    static final int CHECKPOINT_EVERY = 50;
    static final long PAST_A_FEW_CHECKPOINTS = 130;
    static final int SWEEP_STEPS = 200;
    static final int QUEUE_STEPS = 150;
    /** Between a lapsed lock and the resumed run's next step: the share fetch, loading the model and batches, one step. */
    static final Duration RESUME_SLACK = Duration.ofSeconds(20);

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
        kafka = EmbeddedKafka.start(work.resolve("kafka"), TrainerGroup.BROKER);
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "ptuning.model.cache", ModelCache.configuredRoot().toString());
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
        long stepAtKill = awaitStep(killed.runId(), PAST_A_FEW_CHECKPOINTS);
        victim.kill();
        long killedAt = System.nanoTime();
        List<Long> committedBeforeKill = steps(records.checkpoints(killed.runId()));
        assertThat(committedBeforeKill).isNotEmpty().allMatch(step -> step <= stepAtKill + CHECKPOINT_EVERY);
        int reportedBeforeKill = records.steps(killed.runId()).size();
        awaitMoreSteps(killed.runId(), reportedBeforeKill);
        Duration resumedAfter = Duration.ofNanos(System.nanoTime() - killedAt);
        assertThat(resumedAfter).as("a step trained again after the lock lapsed (lock %s)", TrainerGroup.LOCK)
                .isLessThan(TrainerGroup.LOCK.plus(RESUME_SLACK));

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
    void fourRunsOnOnePartitionKeepBothTrainersBusyFromTheStart() throws Exception {
        trainers.ensure(2);
        List<RunRequest> four = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            four.add(request("queued-" + i).withBudget(CHECKPOINT_EVERY, QUEUE_STEPS));
        }
        // On one partition: a consumer group would give them all to the one trainer that owns it.
        for (RunRequest run : four) {
            send(run, 0);
        }
        long sent = System.nanoTime();
        ServiceProcess first = trainers.awaitExecuting(four.get(0).runId(), Duration.ofMinutes(1));
        ServiceProcess second = trainers.awaitExecuting(four.get(1).runId(), Duration.ofMinutes(1));
        Duration bothBusyAfter = Duration.ofNanos(System.nanoTime() - sent);

        assertThat(second).as("the second run went to the idle trainer").isNotSameAs(first);
        assertThat(records.ends(four.get(0).runId())).as("the first run still trains").isEmpty();
        assertThat(bothBusyAfter).isLessThan(Duration.ofSeconds(15));
        for (RunRequest run : four) {
            RunStatus end = records.awaitEnd(run.runId(), Duration.ofMinutes(3));
            assertThat(end.state()).as(run.runId() + ": " + end.reason()).isEqualTo(RunStatus.State.COMPLETED);
        }
    }

    @Test
    void aThirdRunGoesToTheTrainerThatFinishesFirst() throws Exception {
        trainers.ensure(2);
        RunRequest shortRun = request("first-to-finish").withBudget(CHECKPOINT_EVERY, CHECKPOINT_EVERY);
        RunRequest longRun = request("still-training").withBudget(CHECKPOINT_EVERY, STEPS);
        RunRequest third = request("third").withBudget(CHECKPOINT_EVERY, CHECKPOINT_EVERY);
        send(longRun, 0);
        ServiceProcess busy = trainers.awaitExecuting(longRun.runId(), Duration.ofMinutes(1));
        send(shortRun, 0);
        ServiceProcess soonIdle = trainers.awaitExecuting(shortRun.runId(), Duration.ofMinutes(1));
        send(third, 0);

        assertThat(records.awaitEnd(shortRun.runId(), Duration.ofMinutes(2)).state()).isEqualTo(RunStatus.State.COMPLETED);
        ServiceProcess takes = trainers.awaitExecuting(third.runId(), Duration.ofMinutes(1));

        assertThat(soonIdle).isNotSameAs(busy);
        assertThat(takes).as("the trainer that finished first").isSameAs(soonIdle);
        assertThat(records.ends(longRun.runId())).as("the long run still trains").isEmpty();
        assertThat(records.awaitEnd(third.runId(), Duration.ofMinutes(2)).state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(records.awaitEnd(longRun.runId(), Duration.ofMinutes(3)).state()).isEqualTo(RunStatus.State.COMPLETED);
    }

    @Test
    void twoTrainersClaimingTheSameRunLeaveOneSequenceOfCheckpoints() throws Exception {
        trainers.ensure(2);
        RunRequest claimed = request("claimed");
        assertThat(partitions()).as("ptuning.runs as the trainer creates it (trainer.kafka.runs-partitions)").isEqualTo(1);
        send(claimed);
        ServiceProcess first = trainers.awaitExecuting(claimed.runId(), Duration.ofMinutes(1));
        awaitStep(claimed.runId(), PAST_A_FEW_CHECKPOINTS);
        // The same request once more: the idle trainer takes it and claims the run while the first still trains it
        // (what a request written twice, or a lock lapsed under a trainer that still lives, leads to).
        send(claimed);

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
        awaitStep(cancelled.runId(), PAST_A_FEW_CHECKPOINTS);
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

    private int partitions() {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            return producer.partitionsFor(Topics.RUNS).size();
        }
    }

    /** Waits until the run reports step {@code step} or later, and returns the latest step reported. */
    private long awaitStep(String runId, long step) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            List<TrainStep> steps = records.steps(runId);
            if (!steps.isEmpty() && steps.get(steps.size() - 1).step() >= step) {
                return steps.get(steps.size() - 1).step();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + runId + " did not reach step " + step + " within 3 minutes");
    }

    /** Waits until the run has reported more than {@code count} steps (a step trained since they were counted). */
    private void awaitMoreSteps(String runId, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (records.steps(runId).size() <= count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " trained no step within 3 minutes");
            }
            Thread.sleep(50);
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
