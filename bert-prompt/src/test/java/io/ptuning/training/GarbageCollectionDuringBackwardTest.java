package io.ptuning.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.TinyBert;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training graph owns all its memory: the JVM collecting garbage between the forward and the backward pass
 * (which happens at random in a busy service) leaves the gradients unchanged. Before the encoder's constants were
 * libtorch tensors, DJL's {@code scores.div(float)} left autograd holding a scalar in a JVM direct buffer; once
 * collected and its memory reused, the backward pass read whatever was there.
 */
class GarbageCollectionDuringBackwardTest {

    @Test
    void gradientsAreUnchangedByAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        TrainingBatch batch = SyntheticTask.batches(1, 8, TinyBert.CONFIG.vocabSize(), 5).get(0);
        for (PromptConfig method : List.of(PromptConfig.prefix(4), PromptConfig.prompt(4))) {
            try (NDManager manager = NDManager.newBaseManager()) {
                BertEncoder encoder = TinyBert.create(manager, 7);
                try (PromptTunedBert model = PromptTunedBert.initialize(encoder, method, 1, manager)) {
                    List<float[]> undisturbed = gradients(model, batch, manager, () -> {});
                    List<float[]> collected = gradients(model, batch, manager,
                            GarbageCollectionDuringBackwardTest::collectAndReuseFreedMemory);
                    for (int i = 0; i < undisturbed.size(); i++) {
                        assertThat(collected.get(i)).as(method.method() + " gradient " + i).containsExactly(undisturbed.get(i));
                    }
                }
            }
        }
    }

    private static List<float[]> gradients(PromptTunedBert model, TrainingBatch batch, NDManager manager,
            Runnable betweenForwardAndBackward) {
        List<float[]> gradients = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = DeviceTensors.upload(scope, batch.inputIds());
            NDArray mask = DeviceTensors.upload(scope, batch.attentionMask());
            NDArray labels = DeviceTensors.upload(scope, batch.labels());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(ids, mask);
                NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits));
                betweenForwardAndBackward.run();
                collector.backward(loss);
            }
            for (NDArray parameter : model.trainableParameters().values()) {
                NDArray gradient = parameter.getGradient();
                gradient.attach(scope);
                gradients.add(gradient.toFloatArray());
                gradient.subi(gradient); // DJL does not clear gradients between backward passes
            }
        }
        return gradients;
    }

    /** Collects unreachable direct buffers (their Cleaner frees the memory), then fills fresh ones like them. */
    private static void collectAndReuseFreedMemory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100); // the Cleaner thread frees the memory after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> reusing = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4);
            buffer.putFloat(0, 1e6f);
            reusing.add(buffer);
        }
        assertThat(reusing).hasSize(20_000);
    }
}
