package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The trainer as a real process, killed with SIGKILL in the middle of a run and started again: the new process
 * takes the run request over (it was never acknowledged), resumes from the last committed checkpoint and ends
 * with the same final checkpoint, byte for byte, as an uninterrupted run of the same request.
 */
class TrainerKilledMidRunTest {

    static final String MODEL = "tiny-bert-kill";
    static final int STEPS = 600;
    static final int CHECKPOINT_EVERY = 50;
    /** Kill once this many steps are reported: past a few checkpoints, far from the end. */
    static final long KILL_AFTER_STEP = 130;

    @Test
    void aKilledTrainerRestartedEndsTheRunWithTheUninterruptedRunsCheckpoint() throws Exception {
        Path work = Files.createDirectories(Path.of("target")).resolve("trainer-kill-test"); // kept for its logs
        deleteRecursively(work);
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), TrainerGroup.BROKER)) {
            Map<String, String> common = Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "ptuning.model.cache", ModelCache.configuredRoot().toString());
            TopicRecords records = new TopicRecords(kafka.bootstrapServers());
            JsonNode train = publishTrainSplit(repository, ports[0], common, work);

            RunRequest reference = request("uninterrupted", train);
            RunRequest killed = request("killed", train);
            SafetensorsFile uninterrupted;
            long stepAtKill;
            try (ServiceProcess trainer = startTrainer(repository, ports[1], common, work, "first")) {
                send(kafka.bootstrapServers(), reference);
                assertThat(records.awaitEnd(reference.runId(), Duration.ofMinutes(3)).state())
                        .isEqualTo(RunStatus.State.COMPLETED);
                uninterrupted = last(records.checkpoints(reference.runId()));

                send(kafka.bootstrapServers(), killed);
                stepAtKill = awaitStep(records, killed.runId(), KILL_AFTER_STEP);
                trainer.kill();
            }
            assertThat(records.statuses(killed.runId())).extracting(RunStatus::state)
                    .as("the kill came before the run ended").containsExactly(RunStatus.State.STARTED);
            List<Long> committedBeforeKill = records.checkpoints(killed.runId()).stream()
                    .map(c -> metadata(c).step()).toList();
            assertThat(committedBeforeKill).isNotEmpty().allMatch(step -> step <= stepAtKill + CHECKPOINT_EVERY);

            try (ServiceProcess trainer = startTrainer(repository, ports[2], common, work, "restarted")) {
                RunStatus end = records.awaitEnd(killed.runId(), Duration.ofMinutes(3));
                assertThat(end.state()).as(end.reason()).isEqualTo(RunStatus.State.COMPLETED);
            }

            long lastCommitted = committedBeforeKill.get(committedBeforeKill.size() - 1);
            assertThat(records.statuses(killed.runId())).extracting(RunStatus::state, RunStatus::step).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(RunStatus.State.STARTED, 0L),
                    org.assertj.core.groups.Tuple.tuple(RunStatus.State.RESUMED, lastCommitted),
                    org.assertj.core.groups.Tuple.tuple(RunStatus.State.COMPLETED, (long) STEPS));
            List<SafetensorsFile> checkpoints = records.checkpoints(killed.runId());
            assertThat(checkpoints).extracting(c -> metadata(c).step()).doesNotHaveDuplicates()
                    .containsAll(committedBeforeKill).contains((long) STEPS);
            // Every checkpoint, not just the last: a difference names the step range where the runs parted.
            Map<Long, byte[]> uninterruptedByStep = new TreeMap<>();
            records.checkpoints(reference.runId()).forEach(c -> uninterruptedByStep.put(metadata(c).step(), withoutRunId(c)));
            assertThat(checkpoints).allSatisfy(c -> assertThat(withoutRunId(c)).as("checkpoint at step %d",
                    metadata(c).step()).isEqualTo(uninterruptedByStep.get(metadata(c).step())));
            assertThat(withoutRunId(last(checkpoints))).isEqualTo(withoutRunId(uninterrupted));
        }
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

    private static JsonNode publishTrainSplit(Path repository, int port, Map<String, String> common, Path work)
            throws Exception {
        Map<String, String> properties = new HashMap<>(common);
        properties.put("tokenizer.dataset.dir", System.getProperty("sst2.dir"));
        properties.put("tokenizer.model", MODEL);
        try (ServiceProcess tokenizer = ServiceProcess.start(repository, "tokenizer-service", port, "1g", properties,
                work.resolve("logs"), LocalCredentials.keptIn(work.resolve("security")))) {
            tokenizer.awaitReady(Duration.ofMinutes(3));
            return new ObjectMapper().readTree(tokenizer.post("/publish/train", "", Duration.ofMinutes(10)));
        }
    }

    private static ServiceProcess startTrainer(Path repository, int port, Map<String, String> common, Path work,
            String incarnation) throws InterruptedException {
        ServiceProcess trainer = ServiceProcess.start(repository, "trainer-service", port, "2g", common,
                work.resolve("logs-" + incarnation), LocalCredentials.keptIn(work.resolve("security")));
        trainer.awaitReady(Duration.ofMinutes(3));
        return trainer;
    }

    private static RunRequest request(String runId, JsonNode train) {
        return RunRequest.of(runId, "ptv2", Map.of("psl", "4", "lr", "0.05"), MODEL, train.path("topic").asText(),
                train.path("datasetVersion").asText()).withBudget(CHECKPOINT_EVERY, STEPS).withDevice("cpu");
    }

    private static void send(String bootstrap, RunRequest request) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request))).get();
        }
    }

    /** Waits until the run reports step {@code step} or later, and returns the latest step reported. */
    private static long awaitStep(TopicRecords records, String runId, long step) throws InterruptedException {
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

    private static SafetensorsFile last(List<SafetensorsFile> checkpoints) {
        SafetensorsFile last = checkpoints.get(checkpoints.size() - 1);
        assertThat(metadata(last).last()).isTrue();
        return last;
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
}
