package io.ptuning.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.ptuning.bert.MatmulPrecision;
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
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs are replays: the same request over the same topic ends with the same checkpoint bytes, also when the trainer
 * is stopped mid-run (nothing committed after its last checkpoint) and a fresh executor resumes the run.
 * The executors here are the service's own machinery, driven directly so the test can stop one between steps.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class ReplayAndResumeTest {

    static final String TOPIC = "synthetic.batches.replay";
    /** 6 batches x 3 epochs, a checkpoint every 4 steps and at each epoch end. */
    static final long STEPS = 18;
    static boolean published;

    @Inject
    TrainerComponents components;

    @BeforeEach
    void publishOnce() {
        if (!published) {
            BatchTopics.publish(TOPIC, BatchTopics.encoded(
                    BatchTopics.synthetic(6, 16, TrainerTestResource.tokenizerFingerprint, 21)));
            published = true;
        }
    }

    @Test
    void twoRunsOfTheSameRequestEndWithByteIdenticalCheckpoints() {
        SafetensorsFile first = train(request("replay-a", Map.of()));
        SafetensorsFile second = train(request("replay-b", Map.of()));
        assertThat(RunRecords.withoutRunId(second)).isEqualTo(RunRecords.withoutRunId(first));
    }

    @Test
    void anotherSeedEndsWithAnotherCheckpoint() {
        SafetensorsFile seed42 = train(request("seed-42", Map.of()));
        SafetensorsFile seed7 = train(request("seed-7", Map.of("seed", "7")));
        assertThat(seed7.tensor("prefix.embedding")).isNotEqualTo(seed42.tensor("prefix.embedding"));
        assertThat(RunRecords.withoutRunId(seed7)).isNotEqualTo(RunRecords.withoutRunId(seed42));
    }

    @Test
    void aRunStoppedMidwayAndResumedByAFreshTrainerEndsByteIdenticalToAnUninterruptedRun() {
        SafetensorsFile uninterrupted = train(request("crash-reference", Map.of()));

        RunRequest crashing = request("crash-run", Map.of());
        RunOutcome stopped = components.executor(RunObserver.NONE).execute(crashing, stepsDone -> stepsDone == 10);
        assertThat(stopped.result()).isEqualTo(RunOutcome.Result.INTERRUPTED);
        // Steps 9 and 10 were taken but not committed: the last committed checkpoint is step 8.
        assertThat(RunRecords.checkpoints("crash-run", 3)).extracting(c -> RunRecords.metadata(c).step())
                .containsExactly(4L, 6L, 8L);

        RunOutcome resumed = components.executor(RunObserver.NONE).execute(crashing, RunExecutor.Interruption.NEVER);
        assertThat(resumed.result()).isEqualTo(RunOutcome.Result.COMPLETED);

        List<SafetensorsFile> checkpoints = RunRecords.checkpoints("crash-run", 6);
        assertThat(checkpoints).extracting(c -> RunRecords.metadata(c).step())
                .containsExactly(4L, 6L, 8L, 12L, 16L, 18L);
        assertThat(RunRecords.statuses("crash-run")).extracting(RunStatus::state, RunStatus::step)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RunStatus.State.STARTED, 0L),
                        org.assertj.core.groups.Tuple.tuple(RunStatus.State.RESUMED, 8L),
                        org.assertj.core.groups.Tuple.tuple(RunStatus.State.COMPLETED, STEPS));
        assertThat(RunRecords.withoutRunId(checkpoints.get(checkpoints.size() - 1)))
                .isEqualTo(RunRecords.withoutRunId(uninterrupted));
    }

    @Test
    void aResumedRunReportsEveryStepAndRepeatsOnlyTheUncommittedOnes() {
        RunRequest crashing = request("crash-steps", Map.of());
        components.executor(RunObserver.NONE).execute(crashing, stepsDone -> stepsDone == 7);
        components.executor(RunObserver.NONE).execute(crashing, RunExecutor.Interruption.NEVER);
        List<Long> steps = RunRecords.steps("crash-steps").stream().map(TrainStep::step).toList();
        // 1..7 before the stop, then 7..18 again from the checkpoint at step 6: step 7 is reported twice (same event id).
        List<Long> expected = new java.util.ArrayList<>(LongStream.rangeClosed(1, 7).boxed().toList());
        expected.addAll(LongStream.rangeClosed(7, STEPS).boxed().toList());
        assertThat(steps).containsExactlyElementsOf(expected);
    }

    @Test
    void aCompletedRunRequestedAgainIsAcknowledgedWithoutTraining() {
        RunRequest request = request("done-once", Map.of());
        train(request);
        RunOutcome again = components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);
        assertThat(again.result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(RunRecords.checkpoints("done-once", 6)).hasSize(6);
    }

    @Test
    void aRunCommittedAtOneMatmulPrecisionIsRefusedAtAnotherAndResumesAtItsOwn() {
        String trainedAt = MatmulPrecision.inForce().precision().id();
        MatmulPrecision other = otherPrecision();
        RunRequest crashing = request("precision-resume", Map.of());
        components.executor(RunObserver.NONE).execute(crashing, stepsDone -> stepsDone == 5); // committed at step 4

        RunOutcome refused;
        MatmulPrecision.use(other, Device.cpu());
        try {
            refused = components.executor(RunObserver.NONE).execute(crashing, RunExecutor.Interruption.NEVER);
        } finally {
            MatmulPrecision.use(MatmulPrecision.configuredValue(), Device.cpu());
        }
        assertThat(refused.result()).isEqualTo(RunOutcome.Result.FAILED);
        assertThat(refused.reason()).isEqualTo("run precision-resume was trained at matmul precision " + trainedAt
                + " up to step 4, but this trainer multiplies at " + other.id() + " (PTUNING_MATMUL_PRECISION); a resume"
                + " at another precision would not replay bit for bit: resume it on a trainer with"
                + " PTUNING_MATMUL_PRECISION=" + trainedAt + " (its committed state is kept)");

        RunOutcome resumed = components.executor(RunObserver.NONE).execute(crashing, RunExecutor.Interruption.NEVER);
        assertThat(resumed.result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(RunRecords.checkpoints("precision-resume", 6)).extracting(c -> RunRecords.metadata(c).step())
                .containsExactly(4L, 6L, 8L, 12L, 16L, 18L);
    }

    @Test
    void aRequestPinnedToAnotherMatmulPrecisionIsRefusedBeforeTraining() {
        MatmulPrecision other = otherPrecision();
        RunRequest pinned = request("precision-pinned", Map.of()).withMatmulPrecision(other.id());
        RunOutcome refused = components.executor(RunObserver.NONE).execute(pinned, RunExecutor.Interruption.NEVER);
        assertThat(refused.result()).isEqualTo(RunOutcome.Result.FAILED);
        assertThat(refused.reason()).isEqualTo("run precision-pinned asks for matmul precision " + other.id()
                + ", but this trainer multiplies at " + MatmulPrecision.inForce().precision().id()
                + " (PTUNING_MATMUL_PRECISION): send it to a trainer configured for " + other.id());
        assertThat(RunRecords.statuses("precision-pinned")).extracting(RunStatus::state)
                .containsExactly(RunStatus.State.FAILED);
    }

    @Test
    void everyCheckpointRecordsTheMatmulPrecisionItWasTrainedAt() {
        String here = MatmulPrecision.inForce().precision().id();
        train(request("precision-recorded", Map.of()).withMatmulPrecision(here));
        assertThat(RunRecords.checkpoints("precision-recorded", 6)).extracting(c -> RunRecords.metadata(c).matmulPrecision())
                .containsOnly(here);
    }

    private static MatmulPrecision otherPrecision() {
        return MatmulPrecision.inForce().precision() == MatmulPrecision.FLOAT32
                ? MatmulPrecision.BFLOAT16 : MatmulPrecision.FLOAT32;
    }

    private SafetensorsFile train(RunRequest request) {
        RunOutcome outcome = components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);
        assertThat(outcome.result()).as(outcome.reason()).isEqualTo(RunOutcome.Result.COMPLETED);
        List<SafetensorsFile> checkpoints = RunRecords.checkpoints(request.runId(), 6);
        SafetensorsFile last = checkpoints.get(checkpoints.size() - 1);
        CheckpointMetadata metadata = RunRecords.metadata(last);
        assertThat(metadata.last()).isTrue();
        assertThat(metadata.step()).isEqualTo(STEPS);
        return last;
    }

    private static RunRequest request(String runId, Map<String, String> overrides) {
        return RunRecords.request(runId, TOPIC, 3, 4, overrides);
    }
}
