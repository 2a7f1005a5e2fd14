package io.ptuning.weights.tfcheckpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.MalformedWeightsException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TfVariableNamesTest {

    private static final String INDEX = "/models/uncased_L-12_H-768_A-12/bert_model.ckpt.index";

    private static Optional<TfVariableNames.Mapping> map(String variable) {
        return TfVariableNames.map(variable, INDEX);
    }

    @Test
    void tfHubAndGoogleReleaseNamesMapAlike() {
        assertThat(map("module/bert/encoder/layer_0/attention/self/query/kernel"))
                .contains(new TfVariableNames.Mapping("encoder.layer.0.attention.self.query.weight", true));
        assertThat(map("bert/encoder/layer_0/attention/self/query/kernel"))
                .contains(new TfVariableNames.Mapping("encoder.layer.0.attention.self.query.weight", true));
    }

    @Test
    void layerNormGammaAndBetaBecomeWeightAndBias() {
        assertThat(map("bert/encoder/layer_11/attention/output/LayerNorm/gamma"))
                .contains(new TfVariableNames.Mapping("encoder.layer.11.attention.output.LayerNorm.weight", false));
        assertThat(map("module/bert/embeddings/LayerNorm/beta"))
                .contains(new TfVariableNames.Mapping("embeddings.LayerNorm.bias", false));
    }

    @Test
    void embeddingTablesGetWeightAndAreNotTransposed() {
        assertThat(map("bert/embeddings/word_embeddings"))
                .contains(new TfVariableNames.Mapping("embeddings.word_embeddings.weight", false));
        assertThat(map("module/bert/embeddings/token_type_embeddings"))
                .contains(new TfVariableNames.Mapping("embeddings.token_type_embeddings.weight", false));
    }

    @Test
    void headsMapToClsNames() {
        assertThat(map("module/cls/predictions/output_bias"))
                .contains(new TfVariableNames.Mapping("cls.predictions.bias", false));
        assertThat(map("cls/predictions/transform/dense/kernel"))
                .contains(new TfVariableNames.Mapping("cls.predictions.transform.dense.weight", true));
        assertThat(map("cls/seq_relationship/output_weights"))
                .contains(new TfVariableNames.Mapping("cls.seq_relationship.weight", false));
        assertThat(map("bert/pooler/dense/kernel"))
                .contains(new TfVariableNames.Mapping("pooler.dense.weight", true));
    }

    @Test
    void trainingStateIsSkipped() {
        assertThat(map("global_step")).isEmpty();
        assertThat(map("bert/encoder/layer_0/output/dense/kernel/adam_m")).isEmpty();
        assertThat(map("bert/encoder/layer_0/output/dense/kernel/adam_v")).isEmpty();
    }

    @Test
    void unknownVariableFailsNamingTheIndexAndTheVariable() {
        assertThatThrownBy(() -> map("module/bert/encoder/layer_0/attention/self/query/weights"))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageContaining(INDEX)
                .hasMessageContaining("module/bert/encoder/layer_0/attention/self/query/weights");
        assertThatThrownBy(() -> map("module/albert/embeddings/word_embeddings"))
                .hasMessageContaining(INDEX)
                .hasMessageContaining("module/albert/embeddings/word_embeddings");
    }
}
