package io.ptuning.evaluator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.ptuning.contract.Evaluation;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.MetricEvents;
import io.ptuning.contract.RunControl;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.SweepRequest;
import io.ptuning.contract.kafka.RecordTypeHeader;
import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The leaderboard of a sweep, built from the sweep record the trainers wrote on ptuning.runs and the runs' metric
 * events, and the median stopping rule, which stops a run by a cancel control on ptuning.runs.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class SweepLeaderboardTest {

    static final String RUNS = io.ptuning.contract.Topics.RUNS;

    @Test
    void aSweepsRunsAreRankedByBestAccuracyWithTheValuesThatDiffer() throws Exception {
        acceptSweep("board", "{\"lr\": [\"0.01\", \"0.02\", \"0\"], \"seed\": [\"1\"]}", 0);
        status("board--lr-0_01--seed-1", RunStatus.State.COMPLETED);
        evaluation("board--lr-0_01--seed-1", 10, 0.70);
        evaluation("board--lr-0_01--seed-1", 20, 0.80);
        status("board--lr-0_02--seed-1", RunStatus.State.STARTED);
        evaluation("board--lr-0_02--seed-1", 10, 0.75);
        evaluation("board--lr-0_02--seed-1", 20, 0.78);
        awaitBest("board", "board--lr-0_02--seed-1", 0.78f);

        given().get("/api/sweeps/board").then().statusCode(200)
                .body("sweep_id", equalTo("board"))
                .body("varied", equalTo(List.of("lr")))
                .body("runs.run_id", equalTo(List.of("board--lr-0_01--seed-1", "board--lr-0_02--seed-1",
                        "board--lr-0--seed-1")))
                .body("runs.status", equalTo(List.of("COMPLETED", "STARTED", "PENDING")))
                .body("runs.best_accuracy", equalTo(java.util.Arrays.asList(0.8f, 0.78f, null)))
                .body("runs.best_step", equalTo(java.util.Arrays.asList(20, 20, null)))
                .body("runs[0].params", equalTo(Map.of("lr", "0.01")))
                .body("runs[2].params", equalTo(Map.of("lr", "0")));
    }

    @Test
    void theSweepListNamesEachSweepsBestRun() throws Exception {
        acceptSweep("listed", "{\"seed\": [\"1\", \"2\"]}", 0);
        evaluation("listed--seed-2", 10, 0.66);
        awaitBest("listed", "listed--seed-2", 0.66f);

        given().get("/api/sweeps").then().statusCode(200)
                .body("find { it.sweep_id == 'listed' }.runs", equalTo(2))
                .body("find { it.sweep_id == 'listed' }.best_run_id", equalTo("listed--seed-2"))
                .body("find { it.sweep_id == 'listed' }.best_accuracy", equalTo(0.66f))
                .body("sweep_id", hasItem("listed"));
    }

    @Test
    void aSweepWithoutEvaluationsHasNoBestRunYet() throws Exception {
        acceptSweep("fresh", "{\"seed\": [\"1\"]}", 0);

        given().get("/api/sweeps").then().statusCode(200)
                .body("find { it.sweep_id == 'fresh' }.best_run_id", nullValue())
                .body("find { it.sweep_id == 'fresh' }.best_accuracy", nullValue());
    }

    @Test
    void anUnknownSweepIsNotFoundWithAMessage() {
        given().get("/api/sweeps/nope").then().statusCode(404)
                .body("message", containsString("no sweep nope on ptuning.runs"));
    }

    @Test
    void theMedianStoppingRuleStopsARunBelowTheMedianOfTheOthersAtTheSameStep() throws Exception {
        acceptSweep("median", "{\"lr\": [\"0.1\", \"0.2\", \"0\"]}", 2);
        for (String run : List.of("median--lr-0_1", "median--lr-0_2", "median--lr-0")) {
            status(run, RunStatus.State.STARTED);
        }
        evaluation("median--lr-0_1", 10, 0.70);
        evaluation("median--lr-0_2", 10, 0.72);
        evaluation("median--lr-0", 10, 0.50);
        evaluation("median--lr-0_1", 20, 0.80);
        evaluation("median--lr-0_2", 20, 0.82);
        evaluation("median--lr-0", 20, 0.50);

        ConsumerRecord<String, byte[]> stop = Topics.await(RUNS, r -> RecordTypeHeader.read(r.headers())
                .filter(RunControl.RECORD_TYPE::equals).isPresent() && r.key().startsWith("median--"), Duration.ofSeconds(30));
        RunControl control = JsonRecords.decode(stop.value(), RunControl.class, "control");

        assertThat(control.runId()).isEqualTo("median--lr-0");
        assertThat(control.reason()).isEqualTo("median stopping rule: best accuracy 0.5000 after 2 evaluations is below"
                + " the median 0.8100 of 2 other runs of sweep median at step 20");
        Thread.sleep(1000);
        assertThat(Topics.readAll(RUNS)).filteredOn(r -> RecordTypeHeader.read(r.headers())
                .filter(RunControl.RECORD_TYPE::equals).isPresent() && r.key().startsWith("median--"))
                .as("only the run below the median is stopped").hasSize(1);
    }

    /** Writes the sweep record as a trainer accepting the sweep does, and waits until the leaderboard knows it. */
    private static void acceptSweep(String sweepId, String grid, int medianStoppingAfter) throws Exception {
        SweepRequest sweep = JsonRecords.decode(("""
                {"sweep_id": "%s", "grid": %s, "median_stopping_after": %d,
                 "base": {"overrides": {"psl": "4"}, "base_model": "tiny-bert", "batch_topic": "t.batches.train"}}""")
                .formatted(sweepId, grid, medianStoppingAfter).getBytes(), SweepRequest.class, "test");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(RUNS, sweepId, JsonRecords.encode(sweep));
        record.headers().add(RecordTypeHeader.of(SweepRequest.RECORD_TYPE));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (given().get("/api/sweeps/" + sweepId).statusCode() != 200) {
            assertThat(System.nanoTime()).as("sweep " + sweepId + " reaches the leaderboard").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitBest(String sweepId, String runId, float accuracy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Float best = given().get("/api/sweeps/" + sweepId).then().extract()
                    .path("runs.find { it.run_id == '" + runId + "' }.best_accuracy");
            if (best != null && best == accuracy) {
                return;
            }
            assertThat(System.nanoTime()).as(runId + " reaches best accuracy " + accuracy).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void status(String runId, RunStatus.State state) {
        Topics.send(io.ptuning.contract.Topics.TRAIN_METRICS, runId, MetricEvents.encode(MetricEvents.TRAINER,
                MetricEvents.RUN_STATUS, runId, 0, new RunStatus(runId, state, 0, 100, "")));
    }

    private static void evaluation(String runId, long step, double accuracy) {
        long correct = Math.round(accuracy * 100);
        Evaluation evaluation = new Evaluation(runId, step, 1, false, 100, accuracy, 0.5, accuracy, List.of(1.0, 0.0),
                List.of(accuracy, 0.0), List.of(accuracy, 0.0), List.of(List.of(correct, 100 - correct), List.of(0L, 0L)),
                "sst2.batches.validation", 0.5);
        Topics.send(io.ptuning.contract.Topics.EVAL_METRICS, runId,
                MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, runId, step, evaluation));
    }
}
