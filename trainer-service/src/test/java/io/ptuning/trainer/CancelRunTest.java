package io.ptuning.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.TrainStep;
import io.ptuning.kafka.embedded.SharedKafka;
import io.ptuning.trainer.checkpoint.RunState;
import io.ptuning.trainer.checkpoint.TrainerStateStore;
import io.ptuning.trainer.run.TrainerComponents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A run cancelled over REST stops at its next step, is committed as cancelled, and is not trained again. */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class CancelRunTest {

    static final String TOPIC = "synthetic.batches.cancel";
    /** 8 batches x 500 epochs: far longer than the test waits. */
    static final int EPOCHS = 500;

    @Inject
    TrainerComponents components;

    @Test
    void aCancelledRunStopsAtItsNextStepIsCommittedCancelledAndIsNotTrainedAgain() throws Exception {
        BatchTopics.publish(TOPIC, BatchTopics.encoded(
                BatchTopics.synthetic(8, 8, TrainerTestResource.tokenizerFingerprint, 21)));
        RunRequest request = RunRecords.request("cancelled", TOPIC, EPOCHS, 40, Map.of());
        send(request, null);
        awaitStep(request.runId(), 50);

        given().queryParam("reason", "not needed any more").post("/runs/cancelled/cancel")
                .then().statusCode(202).body("runId", equalTo("cancelled")).body("topic", equalTo(Topics.RUNS));
        RunStatus end = RunRecords.awaitEnd(request.runId());

        assertThat(end.state()).isEqualTo(RunStatus.State.CANCELLED);
        assertThat(end.reason()).isEqualTo("not needed any more");
        List<TrainStep> steps = RunRecords.steps(request.runId());
        assertThat(steps.get(steps.size() - 1).step()).as("no step after the one where the cancel was seen")
                .isEqualTo(end.step());
        RunState state = new TrainerStateStore(components.clients(), components.settings().stateTopic())
                .latest(request.runId()).orElseThrow();
        assertThat(state.status()).isEqualTo(RunState.CANCELLED);
        assertThat(state.reason()).isEqualTo("not needed any more");

        // Delivered again, as after a restart; a run behind it on the same partition shows when it was handled.
        int partition = send(request, null);
        send(RunRecords.request("after-cancel", TOPIC, 1, 0, Map.of()), partition);
        assertThat(RunRecords.awaitEnd("after-cancel").state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(RunRecords.statuses(request.runId())).extracting(RunStatus::state)
                .containsExactly(RunStatus.State.STARTED, RunStatus.State.CANCELLED);
        assertThat(RunRecords.steps(request.runId())).hasSameSizeAs(steps);
    }

    @Test
    void aRunCancelledBeforeItStartsIsCancelledAtStepZero() throws Exception {
        BatchTopics.publish(TOPIC + "-early", BatchTopics.encoded(
                BatchTopics.synthetic(4, 8, TrainerTestResource.tokenizerFingerprint, 22)));
        given().post("/runs/early/cancel").then().statusCode(202);
        Thread.sleep(1000); // the trainer's watch reads the control

        send(RunRecords.request("early", TOPIC + "-early", 1, 0, Map.of()), null);
        RunStatus end = RunRecords.awaitEnd("early");

        assertThat(end.state()).isEqualTo(RunStatus.State.CANCELLED);
        assertThat(end.step()).isZero();
        assertThat(end.reason()).isEqualTo("cancelled over REST");
        assertThat(RunRecords.steps("early")).isEmpty();
    }

    @Test
    void aCancelOfAnInvalidRunIdIsRefused() {
        given().post("/runs/a.b/cancel").then().statusCode(400);
    }

    /** Sends {@code request} to {@code partition} (null: the key's) and returns the partition it landed on. */
    private static int send(RunRequest request, Integer partition) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(Topics.RUNS, partition, request.runId(), JsonRecords.encode(request)))
                    .get().partition();
        } catch (Exception e) {
            throw new AssertionError("cannot send " + request.runId(), e);
        }
    }

    private static void awaitStep(String runId, long step) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<TrainStep> steps = RunRecords.steps(runId);
            if (!steps.isEmpty() && steps.get(steps.size() - 1).step() >= step) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + runId + " did not reach step " + step);
    }
}
