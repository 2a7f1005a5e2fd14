package io.ptuning.launcher;

import static io.ptuning.launcher.Checkpoints.metadata;
import static io.ptuning.launcher.Checkpoints.withoutRunId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
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
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The broker as a real process, killed with SIGKILL in the middle of a run and started again on its folder after an
 * outage: the trainer and the evaluator, real processes that stay up throughout with their production Kafka settings,
 * carry on once it is back, and the run ends with the checkpoints (byte for byte) and the accuracies of an
 * uninterrupted run of the same request. One broker and one pair of services serve both outages and the reference
 * run they are compared with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerKilledMidRunTest {

    static final String MODEL = "tiny-bert-broker-kill";
    static final int STEPS = 400;
    static final int CHECKPOINT_EVERY = 50;
    /**
     * Kill once this many steps are reported: just after the checkpoint at this step is committed, so the evaluator is
     * still scoring it and publishes its result into the outage (a race: in 6 outages of 6 here, that result came out
     * only once the broker was back), and far from the end.
     */
    static final long KILL_AFTER_STEP = 100;

    private final Path work = Path.of("target", "broker-kill-test"); // kept for its logs
    private BrokerProcess broker;
    private ServiceProcess trainer;
    private ServiceProcess evaluator;
    private TopicRecords records;
    private JsonNode train;
    private Map<Long, byte[]> uninterrupted;
    private Map<Long, Double> uninterruptedAccuracy;

    @BeforeAll
    void anUninterruptedRun() throws Exception {
        deleteRecursively(work);
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        broker = BrokerProcess.start(work.resolve("kafka"), work.resolve("logs").resolve("broker.log"),
                Duration.ofMinutes(2));
        Map<String, String> common = Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "ptuning.model.cache", ModelCache.configuredRoot().toString());
        records = new TopicRecords(broker.bootstrapServers());
        LocalCredentials credentials = LocalCredentials.keptIn(work.resolve("security"));
        Map<String, String> tokenizing = new HashMap<>(common);
        tokenizing.put("tokenizer.dataset.dir", System.getProperty("sst2.dir"));
        tokenizing.put("tokenizer.model", MODEL);
        try (ServiceProcess tokenizer = ServiceProcess.start(repository, "tokenizer-service", ports[0], "1g",
                tokenizing, work.resolve("logs"), credentials)) {
            tokenizer.awaitReady(Duration.ofMinutes(3));
            train = new ObjectMapper().readTree(tokenizer.post("/publish/train", "", Duration.ofMinutes(10)));
            tokenizer.post("/publish/validation", "", Duration.ofMinutes(10));
        }
        trainer = ServiceProcess.start(repository, "trainer-service", ports[1], "2g", common, work.resolve("logs"),
                credentials);
        evaluator = ServiceProcess.start(repository, "evaluator-service", ports[2], "2g", common, work.resolve("logs"),
                credentials);
        trainer.awaitReady(Duration.ofMinutes(3));
        evaluator.awaitReady(Duration.ofMinutes(3));

        RunRequest reference = request("uninterrupted");
        send(reference);
        assertThat(records.awaitEnd(reference.runId(), Duration.ofMinutes(5)).state())
                .isEqualTo(RunStatus.State.COMPLETED);
        uninterrupted = new TreeMap<>();
        records.checkpoints(reference.runId()).forEach(c -> uninterrupted.put(metadata(c).step(), withoutRunId(c)));
        uninterruptedAccuracy = awaitEvaluations(reference.runId(), uninterrupted.keySet(), Duration.ofMinutes(3));
    }

    @AfterAll
    void stopAll() {
        for (AutoCloseable process : new AutoCloseable[] {trainer, evaluator, broker}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                System.err.println("stopping " + process + ": " + e);
            }
        }
    }

    @ParameterizedTest(name = "broker down for {0} s")
    @ValueSource(ints = {30, 120})
    void aRunOutlivesTheBrokerKilledAndRestartedOnItsFolder(int outageSeconds) throws Exception {
        RunRequest request = request("broker-down-" + outageSeconds + "s");
        send(request);
        long stepAtKill = records.awaitStep(request.runId(), KILL_AFTER_STEP, Duration.ofMinutes(3));
        String bootstrap = broker.bootstrapServers();
        broker.kill();
        long killed = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(outageSeconds).toMillis());
        broker = broker.restart(Duration.ofMinutes(2));
        System.out.printf("broker killed at step %d, back after %.1f s%n", stepAtKill, (System.nanoTime() - killed) / 1e9);
        assertThat(broker.bootstrapServers()).as("the restarted broker's address").isEqualTo(bootstrap);

        RunStatus end = records.awaitEnd(request.runId(), Duration.ofMinutes(6));
        assertThat(end.state()).as(end.reason()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(trainer.isAlive()).isTrue();
        assertThat(evaluator.isAlive()).isTrue();

        List<SafetensorsFile> checkpoints = records.checkpoints(request.runId());
        assertThat(checkpoints).extracting(c -> metadata(c).step()).as("one checkpoint per step, none twice")
                .containsExactlyElementsOf(uninterrupted.keySet());
        assertThat(checkpoints).allSatisfy(c -> assertThat(withoutRunId(c)).as("checkpoint at step %d",
                metadata(c).step()).isEqualTo(uninterrupted.get(metadata(c).step())));
        assertThat(metadata(checkpoints.get(checkpoints.size() - 1)).last()).isTrue();
        List<RunStatus> statuses = records.statuses(request.runId());
        System.out.println("statuses: " + statuses.stream().map(s -> s.state() + "@" + s.step()).toList());
        assertThat(statuses).extracting(RunStatus::state).doesNotContain(RunStatus.State.FAILED)
                .startsWith(RunStatus.State.STARTED).endsWith(RunStatus.State.COMPLETED);

        assertThat(awaitEvaluations(request.runId(), uninterrupted.keySet(), Duration.ofMinutes(3)))
                .as("accuracy at each step").isEqualTo(uninterruptedAccuracy);
    }

    /** The one recipe of every run here, under {@code runId}. */
    private RunRequest request(String runId) {
        return RunRequest.of(runId, "ptv2", Map.of("psl", "4", "lr", "0.05"), MODEL, train.path("topic").asText(),
                train.path("datasetVersion").asText()).withBudget(CHECKPOINT_EVERY, STEPS).withDevice("cpu");
    }

    private void send(RunRequest request) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request))).get();
        }
    }

    /** Waits until the evaluator has published a result for every step, and returns the accuracies by step. */
    private Map<Long, Double> awaitEvaluations(String runId, java.util.Set<Long> steps, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, Double> accuracy = Map.of();
        while (System.nanoTime() < deadline) {
            accuracy = records.evaluations(runId).stream()
                    .collect(Collectors.toMap(Evaluation::step, Evaluation::accuracy, (a, b) -> a, TreeMap::new));
            if (accuracy.keySet().containsAll(steps)) {
                return accuracy;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the evaluator scored run " + runId + " at steps " + accuracy.keySet()
                + " within " + timeout.toSeconds() + " s, not at all of " + steps + "; its errors:\n" + errors(evaluator));
    }

    /** The ERROR lines of a service's log (its tail is the clients' reconnection warnings after an outage). */
    private String errors(ServiceProcess service) {
        try (var lines = Files.lines(work.resolve("logs").resolve(service.name() + ".log"))) {
            return lines.filter(line -> line.contains(" ERROR ")).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
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
}
