package io.ptuning.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.RunRequest;
import io.ptuning.trainer.run.RunExecutor;
import io.ptuning.trainer.run.RunObserver;
import io.ptuning.trainer.run.RunOutcome;
import io.ptuning.trainer.run.TrainerComponents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run that failed because its batches were not on the broker yet is not failed for good: the same request under
 * the same run id trains once they are. The executor is driven directly, behind the door that would refuse it.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class TransientFailureRetryTest {

    @Inject
    TrainerComponents components;

    @Test
    void aRunWhoseBatchTopicWasMissingTrainsWhenRequestedAgainUnderTheSameId() {
        String topic = "synthetic.batches.late";
        RunRequest request = RunRecords.request("late-batches", topic, 1, 0, Map.of());

        RunOutcome first = components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);
        BatchTopics.publish(topic, BatchTopics.encoded(
                BatchTopics.synthetic(2, 8, TrainerTestResource.tokenizerFingerprint, 31)));
        RunOutcome again = components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);

        assertThat(first.result()).isEqualTo(RunOutcome.Result.FAILED);
        assertThat(first.reason()).contains("batch topic " + topic + " does not exist")
                .contains("run late-batches can be requested again once they are");
        assertThat(again.result()).isEqualTo(RunOutcome.Result.COMPLETED);
        assertThat(again.step()).isEqualTo(2);
    }
}
