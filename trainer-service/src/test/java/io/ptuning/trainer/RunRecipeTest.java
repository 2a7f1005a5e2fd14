package io.ptuning.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import io.ptuning.trainer.run.RunExecutor;
import io.ptuning.trainer.run.RunObserver;
import io.ptuning.trainer.run.RunOutcome;
import io.ptuning.trainer.run.TrainerComponents;
import io.ptuning.weights.SafetensorsFile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every recipe value a checkpoint records is what the run did; a value the trainer cannot honour is refused. */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class RunRecipeTest {

    static final String TOPIC = "synthetic.batches.recipe";
    static boolean published;

    @Inject
    TrainerComponents components;

    @BeforeEach
    void publishOnce() {
        if (!published) { // 6 batches of 16 rows: an epoch is 6 steps
            BatchTopics.publish(TOPIC, BatchTopics.encoded(
                    BatchTopics.synthetic(6, 16, TrainerTestResource.tokenizerFingerprint, 31)));
            published = true;
        }
    }

    @Test
    void aStepBudgetOfTwoEpochsEndsAtEpochTwoOfTwoAndSaysSo() {
        // the recipe asks for 3 epochs; a budget of 12 steps trains two of them
        RunRequest request = RunRecords.request("budget-two-epochs", TOPIC, 3, 0, Map.of()).withBudget(0, 12);
        assertThat(execute(request).result()).isEqualTo(RunOutcome.Result.COMPLETED);

        List<SafetensorsFile> checkpoints = RunRecords.checkpoints("budget-two-epochs", 2);
        assertThat(checkpoints).extracting(c -> RunRecords.metadata(c).epoch()).containsExactly(1, 2);
        SafetensorsFile last = checkpoints.get(1);
        CheckpointMetadata metadata = RunRecords.metadata(last);
        assertThat(metadata.last()).isTrue();
        assertThat(metadata.step()).isEqualTo(12);
        assertThat(last.metadata()).containsEntry("epochs", "2").containsEntry("batch_size", "16");
        assertThat(RunRecords.steps("budget-two-epochs")).extracting(TrainStep::step, TrainStep::epoch)
                .startsWith(org.assertj.core.groups.Tuple.tuple(1L, 1))
                .contains(org.assertj.core.groups.Tuple.tuple(6L, 1), org.assertj.core.groups.Tuple.tuple(7L, 2))
                .endsWith(org.assertj.core.groups.Tuple.tuple(12L, 2));
    }

    @Test
    void aBatchSizeOtherThanTheTopicsIsRefusedWithWhatToDo() {
        RunOutcome refused = execute(RunRecords.request("batch-size-8", TOPIC, 1, 0, Map.of("batch_size", "8")));
        assertThat(refused.result()).isEqualTo(RunOutcome.Result.FAILED);
        assertThat(refused.reason()).isEqualTo("batch_size 8 was requested, but the batches of " + TOPIC
                + " [0, 6) hold 16 rows: the tokenizer-service makes the batches (tokenizer.batching.batch-size);"
                + " publish a dataset version with 8 rows, or leave batch_size out");
    }

    @Test
    void theTopicsOwnBatchSizeMayBeNamed() {
        RunRequest request = RunRecords.request("batch-size-16", TOPIC, 1, 0, Map.of("batch_size", "16"));
        assertThat(execute(request).result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(RunRecords.checkpoints("batch-size-16", 1).get(0).metadata()).containsEntry("batch_size", "16");
    }

    @Test
    void aRunIdReusedForAnotherRequestFailsAndSaysSoOnTheMetricTopic() {
        assertThat(execute(RunRecords.request("reused-id", TOPIC, 1, 0, Map.of())).result())
                .isEqualTo(RunOutcome.Result.COMPLETED);
        RunOutcome reused = execute(RunRecords.request("reused-id", TOPIC, 1, 0, Map.of("seed", "7")));
        assertThat(reused.result()).isEqualTo(RunOutcome.Result.FAILED);
        assertThat(reused.reason()).isEqualTo("run id reused-id was already used by a different request; choose a new"
                + " run id to train again");
        assertThat(RunRecords.statuses("reused-id")).extracting(RunStatus::state).containsExactly(
                RunStatus.State.STARTED, RunStatus.State.COMPLETED, RunStatus.State.FAILED);
    }

    private RunOutcome execute(RunRequest request) {
        return components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);
    }
}
