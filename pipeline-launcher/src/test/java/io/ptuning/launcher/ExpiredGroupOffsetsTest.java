package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.kafka.embedded.CommittedRecords;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A work folder reopened after the evaluator's consumer group's committed offsets expired, as they do on a broker
 * with Kafka's default {@code offsets.retention.minutes} (seven days) once a group has no members: the evaluator then
 * reads its topic from the beginning again ({@code auto.offset.reset=earliest}) and must not redo anything; it finds
 * every checkpoint already evaluated and scores nothing. The trainer, restarted beside it, takes run requests from
 * its share group (no committed offsets to expire) and trains nothing again either; no event is written twice.
 */
class ExpiredGroupOffsetsTest {

    private static final String MODEL = "tiny-bert-offsets";

    @Test
    void servicesStartedAfterTheirGroupsOffsetsExpiredRedoNothing(@TempDir Path work) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        LocalCredentials login = LocalCredentials.keptIn(work.resolve("security"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), Map.of(
                "offsets.retention.minutes", "1", "offsets.retention.check.interval.ms", "1000"))) {
            Map<String, String> common = Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "ptuning.model.cache", ModelCache.configuredRoot().toString());
            JsonNode train = publish(repository, ports[0], common, work, login);
            RunRequest request = RunRequest.of("expiring", "ptv2", Map.of("psl", "4"), MODEL,
                    train.path("topic").asText(), train.path("datasetVersion").asText()).withBudget(20, 40)
                    .withDevice("cpu");
            TopicRecords records = new TopicRecords(kafka.bootstrapServers());
            try (ServiceProcess trainer = start(repository, "trainer-service", ports[1], common, work, login, "first");
                    ServiceProcess evaluator = start(repository, "evaluator-service", ports[2], common, work, login,
                            "first")) {
                send(kafka.bootstrapServers(), request);
                assertThat(records.awaitEnd("expiring", Duration.ofMinutes(3)).state()).isEqualTo(RunStatus.State.COMPLETED);
                awaitEvaluations(kafka.bootstrapServers(), 2);
                awaitCommitted(kafka.bootstrapServers(), true);
            }
            int statuses = records.statuses("expiring").size();
            int checkpoints = records.checkpoints("expiring").size();
            awaitCommitted(kafka.bootstrapServers(), false);

            try (ServiceProcess trainer = start(repository, "trainer-service", ports[1], common, work, login, "again");
                    ServiceProcess evaluator = start(repository, "evaluator-service", ports[2], common, work, login,
                            "again")) {
                awaitCommitted(kafka.bootstrapServers(), true); // the evaluators read their topic to the end again
                assertThat(evaluator.logTail(400)).contains("run expiring step 40 is already evaluated; skipping");
            }
            assertThat(records.statuses("expiring")).as("no run trained again").hasSize(statuses);
            assertThat(records.checkpoints("expiring")).hasSize(checkpoints);
            assertThat(CommittedRecords.read(kafka.bootstrapServers(), Topics.EVAL_METRICS, "expiring"))
                    .as("no checkpoint scored again").hasSize(2);
        }
    }

    /** Waits until the evaluator's group has committed offsets ({@code present}) or has none left (expired). */
    private static void awaitCommitted(String bootstrap, boolean present) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                boolean evaluators = !admin.listConsumerGroupOffsets("ptuning-evaluators")
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).isEmpty();
                if (evaluators == present) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the evaluators' offsets still " + (present ? "missing" : "there"));
                }
                Thread.sleep(500);
            }
        }
    }

    private static void awaitEvaluations(String bootstrap, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (CommittedRecords.read(bootstrap, Topics.EVAL_METRICS, "expiring").size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " evaluations within 3 minutes");
            }
            Thread.sleep(300);
        }
    }

    private static JsonNode publish(Path repository, int port, Map<String, String> common, Path work,
            LocalCredentials login) throws Exception {
        Map<String, String> properties = new HashMap<>(common);
        properties.put("tokenizer.dataset.dir", System.getProperty("sst2.dir"));
        properties.put("tokenizer.model", MODEL);
        try (ServiceProcess tokenizer = ServiceProcess.start(repository, "tokenizer-service", port, "1g", properties,
                work.resolve("logs"), login)) {
            tokenizer.awaitReady(Duration.ofMinutes(3));
            tokenizer.post("/publish/validation", "", Duration.ofMinutes(10));
            return new ObjectMapper().readTree(tokenizer.post("/publish/train", "", Duration.ofMinutes(10)));
        }
    }

    private static ServiceProcess start(Path repository, String service, int port, Map<String, String> common,
            Path work, LocalCredentials login, String incarnation) throws InterruptedException {
        ServiceProcess process = ServiceProcess.start(repository, service, port, "2g", common,
                work.resolve("logs-" + incarnation), login);
        process.awaitReady(Duration.ofMinutes(3));
        return process;
    }

    private static void send(String bootstrap, RunRequest request) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, request.runId(), JsonRecords.encode(request))).get();
        }
    }
}
