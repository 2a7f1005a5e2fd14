package io.ptuning.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.TinyBert;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromptMethodsTest {

    static NDManager manager;
    static BertEncoder encoder;
    static final BertConfig C = TinyBert.CONFIG;

    @BeforeAll
    static void tinyBert() {
        manager = NDManager.newBaseManager();
        encoder = TinyBert.create(manager, 7);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void withoutEncoderDropoutTrainingDropsOnlyOnThePrefix() {
        long[] shape = {2, 6};
        long[] ids = {1, 7, 8, 9, 2, 0, 1, 10, 11, 12, 13, 2};
        long[] mask = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
        PromptConfig noPrefixDropout = PromptConfig.fromMetadata(withValue(PromptConfig.prefix(4), "prefix_dropout", "0"));
        try (NDManager scope = manager.newSubManager();
                PromptTunedBert model = PromptTunedBert.initialize(encoder, noPrefixDropout, 1, manager);
                PromptTunedBert quiet = PromptTunedBert.initialize(encoder, noPrefixDropout.withEncoderDropout(false), 1,
                        manager);
                PromptTunedBert quietWithPrefixDropout = PromptTunedBert.initialize(encoder,
                        PromptConfig.prefix(4).withEncoderDropout(false), 1, manager)) {
            NDArray inputIds = scope.create(ids, new ai.djl.ndarray.types.Shape(shape));
            NDArray attentionMask = scope.create(mask, new ai.djl.ndarray.types.Shape(shape));
            float[] inference = model.logits(inputIds, attentionMask).toFloatArray();
            assertThat(model.logits(inputIds, attentionMask, DropoutMasks.forStep(42, 0)).toFloatArray()).isNotEqualTo(inference);
            assertThat(quiet.logits(inputIds, attentionMask, DropoutMasks.forStep(42, 0)).toFloatArray()).containsExactly(inference);
            assertThat(quietWithPrefixDropout.logits(inputIds, attentionMask, DropoutMasks.forStep(42, 0)).toFloatArray()).isNotEqualTo(inference);
        }
    }

    private static Map<String, String> withValue(PromptConfig config, String key, String value) {
        Map<String, String> metadata = new java.util.TreeMap<>(config.toMetadata());
        metadata.put(key, value);
        return metadata;
    }

    @Test
    void prefixTrainsPslTimesTwoLTimesDPlusTheHead() {
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(5), 1, manager)) {
            long head = C.hiddenSize() * 2L + 2;
            assertThat(model.trainableParameterCount()).isEqualTo(5L * 2 * C.numHiddenLayers() * C.hiddenSize() + head);
        }
    }

    @Test
    void promptTrainsPslTimesDPlusTheHead() {
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prompt(5), 1, manager)) {
            assertThat(model.trainableParameterCount()).isEqualTo(5L * C.hiddenSize() + C.hiddenSize() * 2L + 2);
        }
    }

    @Test
    void notebookQuirksFreezeTheHeadSoOnlyThePromptTrains() {
        PromptConfig seed = PromptConfig.prompt(5).withNotebookQuirks();
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, seed, 1, manager)) {
            assertThat(model.trainableParameterCount()).isEqualTo(5L * C.hiddenSize());
            assertThat(model.parameters()).containsKeys(PromptTunedBert.HEAD_WEIGHT, PromptTunedBert.HEAD_BIAS);
        }
    }

    @Test
    void reparameterizedPrefixTrainsTheEmbeddingAndTheMlp() {
        PromptConfig config = PromptConfig.prefix(5).withReparameterization(true);
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 1, manager)) {
            long d = C.hiddenSize();
            long kv = 2L * C.numHiddenLayers() * d;
            long mlp = (d * 512 + 512) + (512 * kv + kv);
            assertThat(model.trainableParameterCount()).isEqualTo(5 * d + mlp + d * 2 + 2);
        }
    }

    @Test
    void aPrefixOfLengthZeroGivesExactlyThePlainEncoderOutput() {
        try (NDManager step = manager.newSubManager();
                PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(0), 1, manager)) {
            NDArray ids = step.create(new long[][] {{1, 7, 8, 9, 2}, {1, 10, 2, 0, 0}});
            NDArray mask = step.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
            NDArray plain = encoder.lastHiddenState(ids, mask);
            PrefixEncoder prefix = (PrefixEncoder) model.method();
            NDArray prefixed = encoder.encode(encoder.embed(ids, null, 0, DropoutMasks.OFF), mask,
                    prefix.keyValuePrefixes(step, 2, DropoutMasks.OFF), DropoutMasks.OFF);
            assertThat(prefixed.toFloatArray()).containsExactly(plain.toFloatArray());
        }
    }

    @Test
    void aMaterializedReparameterizedPrefixGivesTheSameLogits() {
        PromptConfig config = PromptConfig.prefix(4).withReparameterization(true);
        try (NDManager step = manager.newSubManager();
                PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 3, manager);
                PromptTunedBert served = PromptTunedBert.fromCheckpoint(
                        encoder, model.materializedCheckpoint(Map.of()), "materialized", manager)) {
            NDArray ids = step.create(new long[][] {{1, 7, 8, 9, 2}});
            NDArray mask = step.create(new long[][] {{1, 1, 1, 1, 1}});
            assertThat(served.config().reparameterize()).isFalse();
            assertThat(served.logits(ids, mask).toFloatArray())
                    .containsExactly(model.logits(ids, mask).toFloatArray(), org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void aCheckpointRoundTripsEveryTensorBitForBit() {
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(3), 5, manager)) {
            byte[] bytes = model.checkpoint(Map.of("run_id", "r1")).encode();
            var decoded = io.ptuning.weights.SafetensorsFile.decode(bytes, "checkpoint");
            assertThat(decoded.metadata()).containsEntry("method", "prefix").containsEntry("psl", "3")
                    .containsEntry("run_id", "r1").containsEntry("base_model_fingerprint", encoder.weights().fingerprint());
            try (PromptTunedBert restored = PromptTunedBert.fromCheckpoint(encoder, decoded, "checkpoint", manager)) {
                Map<String, HostTensor> original = model.state();
                assertThat(restored.state()).isEqualTo(original);
            }
        }
    }

    @Test
    void aCheckpointLoadsOnlyOntoTheBaseModelItNamesAndMustNameOne() {
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(3), 5, manager);
                NDManager other = NDManager.newBaseManager()) {
            var checkpoint = model.checkpoint(Map.of());
            BertEncoder otherWeights = TinyBert.create(other, 8);
            assertThatThrownBy(() -> PromptTunedBert.fromCheckpoint(otherWeights, checkpoint, "ptuning.checkpoints-0@3", other))
                    .hasMessageContaining("ptuning.checkpoints-0@3")
                    .hasMessageContaining("was trained on base model " + encoder.weights().fingerprint()
                            + ", but the loaded model is " + otherWeights.weights().fingerprint());
            Map<String, String> unnamed = new java.util.TreeMap<>(checkpoint.metadata());
            unnamed.remove(PromptTunedBert.BASE_MODEL_FINGERPRINT);
            var anonymous = new io.ptuning.weights.SafetensorsFile(checkpoint.tensors(), unnamed);
            assertThatThrownBy(() -> PromptTunedBert.fromCheckpoint(encoder, anonymous, "ptuning.checkpoints-0@4", manager))
                    .hasMessageContaining("ptuning.checkpoints-0@4")
                    .hasMessageContaining("has no base_model_fingerprint in its metadata");
        }
    }
}
