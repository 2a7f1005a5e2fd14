package io.ptuning.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.service.metrics.Promtool;
import io.ptuning.weights.SafetensorsFile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A run requested over REST goes through ptuning.runs to this trainer and leaves checkpoints and metrics on Kafka. */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class RunOverRestTest {

    static final String TOPIC = "synthetic.batches.rest";
    static final String RUN = "rest-run";
    /** 8 batches x 3 epochs, a checkpoint every 5 steps and at each epoch end. */
    static final int STEPS = 24;
    static RunStatus end;

    @BeforeEach
    void runOnce() {
        if (end != null) {
            return;
        }
        BatchTopics.publish(TOPIC, BatchTopics.encoded(
                BatchTopics.synthetic(8, 16, TrainerTestResource.tokenizerFingerprint, 11)));
        // Without dropout: theLossFalls specifies the optimizer's path over 24 steps, not one draw of masks.
        given().contentType(ContentType.JSON)
                .body("""
                        {"run_id": "%s", "preset": "ptv2", "overrides": {"psl": "4", "lr": "0.1", "epochs": "3",
                                       "prefix_dropout": "0", "encoder_dropout": "false"},
                         "base_model": "tiny-bert", "batch_topic": "%s", "dataset_version": "%s",
                         "checkpoint_every_steps": 5, "device": "cpu"}""".formatted(RUN, TOPIC, BatchTopics.VERSION))
                .post("/runs")
                .then().statusCode(202).body("runId", equalTo(RUN)).body("topic", equalTo("ptuning.runs"));
        end = RunRecords.awaitEnd(RUN);
    }

    @Test
    void theRunCompletesAllStepsOfAllEpochs() {
        assertThat(end.state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(end.step()).isEqualTo(STEPS);
        assertThat(end.totalSteps()).isEqualTo(STEPS);
    }

    @Test
    void checkpointsComeEveryFiveStepsAndAtEachEpochEnd() {
        List<CheckpointMetadata> checkpoints = RunRecords.checkpoints(RUN, 7).stream().map(RunRecords::metadata).toList();
        assertThat(checkpoints).extracting(CheckpointMetadata::step).containsExactly(5L, 8L, 10L, 15L, 16L, 20L, 24L);
        assertThat(checkpoints).extracting(CheckpointMetadata::epoch).containsExactly(1, 1, 2, 2, 2, 3, 3);
        assertThat(checkpoints).extracting(CheckpointMetadata::last)
                .containsExactly(false, false, false, false, false, false, true);
        assertThat(checkpoints).allSatisfy(c -> {
            assertThat(c.totalSteps()).isEqualTo(STEPS);
            assertThat(c.batchTopic()).isEqualTo(TOPIC);
            assertThat(c.tokenizerFingerprint()).isEqualTo(TrainerTestResource.tokenizerFingerprint);
        });
    }

    @Test
    void aCheckpointHoldsTheTrainableTensorsOnlyWithTheirConfig() {
        SafetensorsFile last = RunRecords.checkpoints(RUN, 7).get(6);
        assertThat(last.tensors()).containsOnlyKeys("prefix.embedding", "classifier.weight", "classifier.bias");
        // psl 4 rows of (key, value) x 2 layers x width 32
        assertThat(last.tensor("prefix.embedding").shape()).containsExactly(4, 128);
        assertThat(last.metadata()).containsEntry("method", "prefix").containsEntry("psl", "4")
                .containsEntry("lr", "0.1").containsEntry("preset", "ptv2").containsKey("base_model_fingerprint");
    }

    @Test
    void aStepEventIsPublishedForEveryStepWithItsEpoch() {
        List<TrainStep> steps = RunRecords.steps(RUN);
        assertThat(steps).extracting(TrainStep::step)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, STEPS).mapToObj(i -> (long) i).toList());
        assertThat(steps).extracting(TrainStep::epoch)
                .containsExactlyElementsOf(IntStream.range(0, STEPS).mapToObj(i -> 1 + i / 8).toList());
        assertThat(steps).allSatisfy(s -> {
            assertThat(s.examplesPerSecond()).isPositive();
            assertThat(s.learningRate()).isBetween(0.0, 0.1);
        });
    }

    @Test
    void theLossFalls() {
        List<TrainStep> steps = RunRecords.steps(RUN);
        double firstEpoch = steps.subList(0, 8).stream().mapToDouble(TrainStep::loss).average().orElseThrow();
        double lastEpoch = steps.subList(16, 24).stream().mapToDouble(TrainStep::loss).average().orElseThrow();
        assertThat(lastEpoch).isLessThan(firstEpoch * 0.9);
    }

    @Test
    void theStartedStatusCarriesTheResolvedHyperParameters() {
        RunStatus started = RunRecords.statuses(RUN).stream().filter(s -> s.state() == RunStatus.State.STARTED)
                .findFirst().orElseThrow();
        assertThat(started.params()).containsEntry("psl", "4").containsEntry("lr", "0.1").containsEntry("epochs", "3")
                .containsEntry("batch_size", "16").containsEntry("method", "prefix").containsEntry("preset", "ptv2")
                .containsEntry("base_model", "tiny-bert");
    }

    @Test
    void theScrapeHasTheRunsStepLossSpeedAndEtaGauges() {
        TrainStep last = RunRecords.steps(RUN).get(STEPS - 1);
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(sample(text, "ptuning_train_step")).isEqualTo(24.0);
        assertThat(sample(text, "ptuning_train_total_steps")).isEqualTo(24.0);
        assertThat(sample(text, "ptuning_train_loss")).isEqualTo(last.loss());
        // A completed run trains no more examples and has nothing left to wait for.
        assertThat(sample(text, "ptuning_train_examples_per_second")).isEqualTo(0.0);
        assertThat(sample(text, "ptuning_train_eta_seconds")).isEqualTo(0.0);
    }

    @Test
    void theScrapePassesPromtoolCheckMetrics() throws Exception {
        Promtool.assumeInstalled();
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

        Promtool.Check check = Promtool.checkMetrics(text);

        assertThat(check.output()).isEmpty();
        assertThat(check.exitCode()).isZero();
    }

    @Test
    void everyTrainerMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
        String dashboard = Files.readString(Path.of("..", "deploy", "k8s", "monitoring", "ptuning-dashboard.json"));
        List<String> queried = Pattern.compile("ptuning_train_[a-z_]+").matcher(dashboard).results()
                .map(MatchResult::group).distinct().toList();

        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(queried).isNotEmpty().allSatisfy(metric -> assertThat(text).contains("# TYPE " + metric + " gauge\n"));
    }

    /** The value of this run's sample of {@code metric} (the text format may end labels with a comma). */
    private static double sample(String text, String metric) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{run=\"" + RUN + "\",?} (\\S+)$").matcher(text);
        assertThat(m.find()).as("a sample of %s for run %s", metric, RUN).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void getRunsShowsTheCompletedRun() {
        given().get("/runs/" + RUN).then().statusCode(200)
                .body("state", equalTo("COMPLETED")).body("step", equalTo(STEPS)).body("epoch", equalTo(3));
        given().get("/runs/never-requested").then().statusCode(404);
    }
}
