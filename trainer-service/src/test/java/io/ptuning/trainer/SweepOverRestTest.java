package io.ptuning.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A sweep asked over REST or on Kafka expands into deterministic run requests on ptuning.runs, once. */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class SweepOverRestTest {

    static final String TOPIC = "synthetic.batches.sweep";

    static boolean published;

    @BeforeEach
    void publishBatchesOnce() {
        if (published) {
            return;
        }
        published = true;
        BatchTopics.publish(TOPIC, BatchTopics.encoded(
                BatchTopics.synthetic(4, 8, TrainerTestResource.tokenizerFingerprint, 5)));
    }

    static String sweep(String id, String grid) {
        return """
                {"sweep_id": "%s", "grid": %s,
                 "base": {"preset": "ptv2", "overrides": {"psl": "4", "epochs": "1"}, "base_model": "tiny-bert",
                          "batch_topic": "%s", "dataset_version": "%s", "device": "cpu"}}"""
                .formatted(id, grid, TOPIC, BatchTopics.VERSION);
    }

    @Test
    void aSweepCreatesOneRunPerCombinationNamedBySweepAndValues() {
        given().contentType(ContentType.JSON).body(sweep("grid", "{\"lr\": [\"0.05\", \"0.1\"], \"seed\": [\"1\", \"2\"]}"))
                .post("/sweeps")
                .then().statusCode(201).body("sweepId", equalTo("grid")).body("created", equalTo(List.of(
                        "grid--lr-0_05--seed-1", "grid--lr-0_05--seed-2", "grid--lr-0_1--seed-1", "grid--lr-0_1--seed-2")));

        RunRequest run = runRequests("grid").stream().filter(r -> r.runId().equals("grid--lr-0_1--seed-2")).findFirst()
                .orElseThrow();
        assertThat(run.overrides()).containsEntry("lr", "0.1").containsEntry("seed", "2").containsEntry("psl", "4");
        assertThat(run.batchTopic()).isEqualTo(TOPIC);
        assertThat(RunRecords.awaitEnd("grid--lr-0_1--seed-2").state()).isEqualTo(RunStatus.State.COMPLETED);
    }

    @Test
    void theSameSweepAgainCreatesNoRuns() throws Exception {
        String body = sweep("twice", "{\"seed\": [\"1\", \"2\"]}");
        given().contentType(ContentType.JSON).body(body).post("/sweeps").then().statusCode(201).body("created", hasSize(2));

        given().contentType(ContentType.JSON).body(body).post("/sweeps")
                .then().statusCode(200).body("created", empty())
                .body("existing", equalTo(List.of("twice--seed-1", "twice--seed-2")));
        Thread.sleep(500); // a second expansion would be committed by now
        assertThat(runRequests("twice")).extracting(RunRequest::runId).containsExactly("twice--seed-1", "twice--seed-2");
    }

    @Test
    void anotherSweepUnderATakenIdIsAConflict() {
        given().contentType(ContentType.JSON).body(sweep("taken", "{\"seed\": [\"1\"]}")).post("/sweeps")
                .then().statusCode(201);

        given().contentType(ContentType.JSON).body(sweep("taken", "{\"seed\": [\"2\"]}")).post("/sweeps")
                .then().statusCode(409).body("message", containsString("sweep id taken is already used"));
    }

    @Test
    void anUnknownHyperParameterIsRefusedNamingTheRunAndTheKey() {
        given().contentType(ContentType.JSON).body(sweep("typo", "{\"lrr\": [\"0.1\"]}")).post("/sweeps")
                .then().statusCode(400).body("error", equalTo("bad-request"))
                .body("message", containsString("run typo--lrr-0_1 of the sweep: overrides.lrr is not a hyper-parameter"));
        assertThat(runRequests("typo")).isEmpty();
    }

    @Test
    void aBadValueInTheGridIsRefusedAtTheDoorNamingTheRunAndNothingIsQueued() {
        given().contentType(ContentType.JSON).body(sweep("badlr", "{\"lr\": [\"0.01\", \"-1\"]}")).post("/sweeps")
                .then().statusCode(400).body("error", equalTo("bad-request"))
                .body("message", containsString("run badlr--lr--1 of the sweep:"))
                .body("message", containsString("lr"));
        assertThat(runRequests("badlr")).as("not even the valid run").isEmpty();
    }

    @Test
    void aGridKeyWithoutValuesIsRefused() {
        given().contentType(ContentType.JSON).body(sweep("novalues", "{\"lr\": []}")).post("/sweeps")
                .then().statusCode(400).body("message", containsString("grid key 'lr' has no values"));
    }

    @Test
    void aSweepIdWithADoubleDashIsRefused() {
        given().contentType(ContentType.JSON).body(sweep("a--b", "{\"lr\": [\"0.1\"]}")).post("/sweeps")
                .then().statusCode(400).body("message", containsString("sweep_id 'a--b' may not contain '--'"));
    }

    @Test
    void aSweepWithoutBaseIsRefused() {
        given().contentType(ContentType.JSON).body("{\"sweep_id\": \"nobase\", \"grid\": {\"lr\": [\"0.1\"]}}")
                .post("/sweeps")
                .then().statusCode(400).body("message", containsString("base (a run request) is required"));
    }

    @Test
    void aSweepRequestRecordOnKafkaCreatesTheRunsToo() throws Exception {
        SweepRequest sweep = JsonRecords.decode(sweep("onkafka", "{\"seed\": [\"3\", \"4\"]}").getBytes(),
                SweepRequest.class, "test");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RUNS, sweep.sweepId(), JsonRecords.encode(sweep));
        record.headers().add(RecordTypeHeader.of(SweepRequest.REQUEST_RECORD_TYPE));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }

        assertThat(RunRecords.awaitEnd("onkafka--seed-4").state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(runRequests("onkafka")).extracting(RunRequest::runId).containsExactly("onkafka--seed-3", "onkafka--seed-4");
    }

    @Test
    void aRefusedSweepRequestRecordGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        SweepRequest sweep = JsonRecords.decode(sweep("badkafka", "{\"lrr\": [\"1\"]}").getBytes(), SweepRequest.class,
                "test");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RUNS, sweep.sweepId(), JsonRecords.encode(sweep));
        record.headers().add(RecordTypeHeader.of(SweepRequest.REQUEST_RECORD_TYPE));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }

        ConsumerRecord<String, byte[]> dead = BatchTopics.read(Topics.deadLetter(Topics.RUNS), "badkafka", 1).get(0);
        assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value()))
                .contains("run badkafka--lrr-1 of the sweep: overrides.lrr is not a hyper-parameter");
        assertThat(runRequests("badkafka")).isEmpty();
    }

    @Test
    void cancellingASweepCancelsEveryRunOfIt() {
        given().contentType(ContentType.JSON).body(sweep("stopall", "{\"seed\": [\"1\", \"2\"]}")
                .replace("\"epochs\": \"1\"", "\"epochs\": \"2000\"")).post("/sweeps").then().statusCode(201);

        given().post("/sweeps/stopall/cancel").then().statusCode(202).body("sweepId", equalTo("stopall"));

        for (String run : List.of("stopall--seed-1", "stopall--seed-2")) {
            RunStatus end = RunRecords.awaitEnd(run);
            assertThat(end.state()).as(run).isEqualTo(RunStatus.State.CANCELLED);
            assertThat(end.reason()).isEqualTo("sweep cancelled over REST");
        }
    }

    /** The run requests of {@code sweepId} on ptuning.runs, in offset order per partition. */
    static List<RunRequest> runRequests(String sweepId) {
        return BatchTopics.read(Topics.RUNS, null, 0).stream()
                .filter(r -> r.key() != null && SweepRequest.belongsTo(r.key(), sweepId))
                .filter(r -> RecordTypeHeader.read(r.headers()).orElse(RunRequest.RECORD_TYPE).equals(RunRequest.RECORD_TYPE))
                .map(SweepOverRestTest::decode).sorted(java.util.Comparator.comparing(RunRequest::runId)).toList();
    }

    private static RunRequest decode(ConsumerRecord<String, byte[]> record) {
        return JsonRecords.decode(record.value(), RunRequest.class, "ptuning.runs@" + record.offset());
    }
}
