package io.ptuning.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.TinyBert;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.HostTensor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel steps over replicas on the CPU (the machinery GPUs use, minus the device copies): split gradients
 * sum to the whole batch's, replicas follow the model, and runs replay bit for bit.
 */
class DataParallelTest {

    /** The tiny BERT without dropout, so that a split batch and the whole batch see the same function. */
    static final BertConfig NO_DROPOUT = new BertConfig(40, 32, 2, 4, 64, "gelu", 0.0, 0.0, 64, 2, 1e-12, 0, "bert");
    static final PromptConfig PREFIX = new PromptConfig(PromptConfig.Method.PREFIX, 4, false, 512, 0.0, false, false,
            false, 2, true);
    static final List<TrainingBatch> BATCHES = SyntheticTask.batches(6, 8, TinyBert.CONFIG.vocabSize(), 3);
    static final TrainingConfig TRAINING = TrainingConfig.adamW(1e-2).withSchedule(0.2, 1.0);

    static NDManager manager;
    static BertEncoder withoutDropout;
    static BertEncoder withDropout;

    @BeforeAll
    static void tinyBerts() {
        manager = NDManager.newBaseManager();
        withoutDropout = TinyBert.create(NO_DROPOUT, manager, 7, true);
        withDropout = TinyBert.create(manager, 7);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void gradientsOfTheRowSplitsSumToTheWholeBatchGradient() {
        TrainingBatch batch = BATCHES.get(0);
        for (int replicas : new int[] {2, 3}) { // 8 rows: 4 + 4, and 2 + 3 + 3
            Map<String, float[]> whole = gradients(batch, 1);
            Map<String, float[]> split = gradients(batch, replicas);
            whole.forEach((name, expected) -> {
                float scale = 1e-6f + maxAbs(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(Math.abs(split.get(name)[i] - expected[i])).as("%s[%d] with %d replicas", name, i, replicas)
                            .isLessThan(1e-5f * scale);
                }
            });
        }
    }

    @Test
    void withDropoutOnTheRowSplitsDrawTheWholeBatchsMasksAndSumToItsGradient() {
        TrainingBatch batch = BATCHES.get(0); // prefix dropout 0.1 and the encoder's dropout
        Map<String, float[]> whole = gradients(withDropout, PromptConfig.prefix(4), batch, 1, DropoutMasks.forStep(3, 1));
        Map<String, float[]> split = gradients(withDropout, PromptConfig.prefix(4), batch, 3, DropoutMasks.forStep(3, 1));
        whole.forEach((name, expected) -> {
            float scale = 1e-6f + maxAbs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(Math.abs(split.get(name)[i] - expected[i])).as("%s[%d]", name, i).isLessThan(1e-5f * scale);
            }
        });
        // and the masks matter: another step's masks give other gradients
        Map<String, float[]> otherMasks = gradients(withDropout, PromptConfig.prefix(4), batch, 1, DropoutMasks.forStep(3, 2));
        assertThat(otherMasks.get(otherMasks.keySet().iterator().next()))
                .isNotEqualTo(whole.get(whole.keySet().iterator().next()));
    }

    @Test
    void aBatchWithFewerRowsThanReplicasUsesOnlyAsManyReplicas() {
        TrainingBatch oneRow = BATCHES.get(1).rows(0, 1);
        Map<String, float[]> whole = gradients(oneRow, 1);
        Map<String, float[]> split = gradients(oneRow, 3);
        whole.forEach((name, expected) -> assertThat(split.get(name)).as(name).containsExactly(expected));
    }

    @Test
    void replicasHoldTheModelsTensorsAfterEveryUpdateAndARunReplaysBitForBit() {
        byte[] first = train(2, true);
        byte[] second = train(2, true);
        assertThat(second).isEqualTo(first);
        assertThat(train(1, false)).isNotEqualTo(first); // another split rounds its sums differently
    }

    /** The model's gradients after one data-parallel forward and backward over {@code batch}. */
    private static Map<String, float[]> gradients(TrainingBatch batch, int replicas) {
        return gradients(withoutDropout, PREFIX, batch, replicas, DropoutMasks.OFF);
    }

    private static Map<String, float[]> gradients(BertEncoder encoder, PromptConfig config, TrainingBatch batch,
            int replicas, DropoutMasks dropout) {
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 5, manager);
                DataParallel parallel = new DataParallel(model, Collections.nCopies(replicas - 1, encoder));
                NDManager scope = manager.newSubManager()) {
            parallel.lossAndGradients(batch, dropout, scope);
            Map<String, float[]> gradients = new TreeMap<>();
            model.trainableParameters().forEach((name, p) -> gradients.put(name, p.getGradient().toFloatArray()));
            return gradients;
        }
    }

    /** Trains over all batches on {@code replicas} replicas; checks the replicas; returns the final checkpoint. */
    private static byte[] train(int replicas, boolean checkReplicas) {
        PromptConfig config = PromptConfig.prefix(4); // prefix dropout 0.1 and the encoder's dropout: random draws
        try (PromptTunedBert model = PromptTunedBert.initialize(withDropout, config, 11, manager);
                PromptTrainer trainer = new PromptTrainer(model, Collections.nCopies(replicas - 1, withDropout), TRAINING,
                        BATCHES.size(), manager)) {
            BATCHES.forEach(trainer::step);
            if (checkReplicas) {
                SortedMap<String, HostTensor> expected = model.state();
                for (int i = 1; i < replicas; i++) {
                    assertThat(trainer.dataParallel().replica(i).state()).as("replica %d", i).isEqualTo(expected);
                }
            }
            return model.checkpoint(Map.of()).encode();
        }
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
