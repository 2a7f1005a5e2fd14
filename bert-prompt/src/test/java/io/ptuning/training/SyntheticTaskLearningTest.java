package io.ptuning.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.TinyBert;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole method learns: a frozen random BERT, a trainable prefix and head, a task that needs attention. */
class SyntheticTaskLearningTest {

    @Test
    void aTinyRandomBertWithATrainablePrefixReaches95PercentHeldOut() {
        List<TrainingBatch> train = SyntheticTask.batches(600, 16, TinyBert.CONFIG.vocabSize(), 1);
        List<TrainingBatch> heldOut = SyntheticTask.batches(25, 16, TinyBert.CONFIG.vocabSize(), 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = TinyBert.create(manager, 7);
            TrainingConfig training = TrainingConfig.adamW(3e-2).withSchedule(0.06, 1.0);
            try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(16), 1, manager);
                    PromptTrainer trainer = new PromptTrainer(model, training, train.size(), manager)) {
                train.forEach(trainer::step);
                int correct = 0;
                int total = 0;
                for (TrainingBatch batch : heldOut) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray logits = model.logits(DeviceTensors.upload(scope, batch.inputIds()),
                                DeviceTensors.upload(scope, batch.attentionMask()));
                        long[] predicted = logits.argMax(1).toLongArray();
                        long[] labels = batch.labels().longs();
                        for (int i = 0; i < labels.length; i++) {
                            correct += predicted[i] == labels[i] ? 1 : 0;
                            total++;
                        }
                    }
                }
                assertThat((double) correct / total).isGreaterThanOrEqualTo(0.95);
            }
        }
    }
}
