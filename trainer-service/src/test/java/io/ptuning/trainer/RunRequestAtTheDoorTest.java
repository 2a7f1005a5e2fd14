package io.ptuning.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run request with bad values is refused at the door with every problem named: over REST with 400 and nothing
 * queued on ptuning.runs, on Kafka by a dead letter with the reasons, after which the next valid request still runs.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class RunRequestAtTheDoorTest {

    static final String TOPIC = "synthetic.batches.door";
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void publishBatches() {
        BatchTopics.publish(TOPIC, BatchTopics.encoded(
                BatchTopics.synthetic(3, 8, TrainerTestResource.tokenizerFingerprint, 21)));
    }

    /** The bad-request matrix: one bad value each, and the problem the answer must name. */
    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("negative-lr", r -> override(r, "lr", "-1"), "overrides.lr '-1' must be a number > 0"),
                bad("zero-lr", r -> override(r, "lr", "0"), "overrides.lr '0' must be a number > 0"),
                bad("psl-zero", r -> override(r, "psl", "0"), "overrides.psl '0' must be an integer >= 1"),
                bad("unknown-override", r -> override(r, "lrr", "0.1"), "overrides.lrr is not a hyper-parameter"),
                bad("unknown-field", r -> r.put("epochz", 3), "epochz is not a field of a run request"),
                bad("unknown-preset", r -> r.put("preset", "ptv3"), "preset 'ptv3' is unknown (known: ptv2, seed)"),
                bad("unknown-method", r -> override(r, "method", "lora"),
                        "overrides.method 'lora' is not a method (known: prefix, prompt)"),
                bad("unknown-model", r -> r.put("base_model", "no-such-bert"),
                        "base_model 'no-such-bert' is neither in the trainer's model cache nor one it imports"),
                bad("from-after-to", r -> {
                    r.put("from_offset", 2);
                    r.put("to_offset", 1);
                }, "from_offset 2 is after to_offset 1"),
                bad("missing-topic", r -> r.put("batch_topic", "synthetic.batches.absent"),
                        "batch_topic synthetic.batches.absent does not exist"),
                bad("missing-version", r -> r.put("dataset_version", "v-never-published"),
                        "dataset_version 'v-never-published' has no batch in [0, 3) of " + TOPIC
                                + " (versions there: " + BatchTopics.VERSION + ")"),
                bad("range-past-end", r -> r.put("to_offset", 9),
                        "to_offset 9 is past the end of " + TOPIC + " (last committed offset 3)"),
                bad("malformed-run-id", r -> r.put("run_id", "has space/and slash"),
                        "run_id 'has space/and slash' is malformed: use 1 to 200 letters, digits, '_' and '-'"),
                bad("string-offset", r -> r.put("from_offset", "zero"),
                        "from_offset must be an integer >= 0, got \"zero\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestIsAnswered400NamingTheProblemAndNothingIsQueued(String name, Map<String, Object> request,
            String problem) {
        Response answer = post(request);

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.jsonPath().getList("problems", String.class)).singleElement().asString().contains(problem);
        assertThat(answer.jsonPath().getString("message")).contains(problem);
        assertThat(BatchTopics.read(Topics.RUNS, (String) request.get("run_id"), 0)).isEmpty();
    }

    @Test
    void aRequestWithSeveralProblemsNamesEveryOne() {
        Map<String, Object> request = valid("door-several");
        override(request, "lr", "-1");
        override(request, "psl", "0");
        request.put("preset", "ptv3");
        request.put("base_model", "no-such-bert");
        request.put("batch_topic", "synthetic.batches.absent");

        Response answer = post(request);

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.jsonPath().getList("problems", String.class)).hasSize(5)
                .anySatisfy(p -> assertThat(p).startsWith("preset 'ptv3'"))
                .anySatisfy(p -> assertThat(p).startsWith("overrides.lr '-1'"))
                .anySatisfy(p -> assertThat(p).startsWith("overrides.psl '0'"))
                .anySatisfy(p -> assertThat(p).startsWith("base_model 'no-such-bert'"))
                .anySatisfy(p -> assertThat(p).startsWith("batch_topic synthetic.batches.absent"));
        assertThat(BatchTopics.read(Topics.RUNS, "door-several", 0)).isEmpty();
    }

    @Test
    void theValidRequestOfTheMatrixIsAccepted() {
        Response answer = post(valid("door-valid"));

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(BatchTopics.read(Topics.RUNS, "door-valid", 1)).hasSize(1);
        assertThat(RunRecords.awaitEnd("door-valid").state()).isEqualTo(RunStatus.State.COMPLETED);
    }

    @Test
    void aBadRequestOnKafkaReachesTheDeadLetterTopicWithEveryReasonAndTheNextValidRequestRuns() throws Exception {
        Map<String, Object> bad = valid("door-kafka-bad");
        bad.put("schema_version", 1);
        override(bad, "lr", "-1");
        bad.put("dataset_version", "v-never-published");
        byte[] value = JSON.writeValueAsBytes(bad);
        Map<String, Object> good = valid("door-kafka-next");
        good.put("schema_version", 1);

        send("door-kafka-bad", value);
        send("door-kafka-next", JSON.writeValueAsBytes(good));

        List<ConsumerRecord<String, byte[]>> dead = BatchTopics.read(Topics.deadLetter(Topics.RUNS), "door-kafka-bad", 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo(value);
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON))
                .contains("not a valid RunRequest")
                .contains("overrides.lr '-1' must be a number > 0")
                .contains("dataset_version 'v-never-published' has no batch");
        assertThat(header(dead.get(0), DeadLetterHeaders.TOPIC)).isEqualTo(Topics.RUNS);
        assertThat(RunRecords.awaitEnd("door-kafka-next").state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(RunRecords.statuses("door-kafka-bad")).isEmpty();
    }

    @Test
    void aRecordKeyedOtherThanItsRunIdIsRefusedOnKafka() throws Exception {
        Map<String, Object> request = valid("door-own-id");
        request.put("schema_version", 1);

        send("door-other-key", JSON.writeValueAsBytes(request));

        List<ConsumerRecord<String, byte[]>> dead = BatchTopics.read(Topics.deadLetter(Topics.RUNS), "door-other-key", 1);
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON))
                .contains("the record key 'door-other-key' is not the run_id 'door-own-id'");
    }

    private static Arguments bad(String name, Consumer<Map<String, Object>> change, String problem) {
        Map<String, Object> request = valid("door-" + name);
        change.accept(request);
        return Arguments.of(name, request, problem);
    }

    /** One epoch of psl 4 over the three batches of {@link #TOPIC}: a request the trainer accepts. */
    static Map<String, Object> valid(String runId) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("run_id", runId);
        request.put("preset", "ptv2");
        request.put("overrides", new TreeMap<>(Map.of("psl", "4", "lr", "0.1", "epochs", "1")));
        request.put("base_model", TinyModel.NAME);
        request.put("batch_topic", TOPIC);
        request.put("dataset_version", BatchTopics.VERSION);
        request.put("device", "cpu");
        return request;
    }

    @SuppressWarnings("unchecked")
    private static void override(Map<String, Object> request, String key, String value) {
        ((Map<String, String>) request.get("overrides")).put(key, value);
    }

    private static Response post(Map<String, Object> request) {
        return given().contentType(ContentType.JSON).body(request).post("/runs");
    }

    private static void send(String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, key, value));
            producer.flush();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
