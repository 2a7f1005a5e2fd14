package io.ptuning.weights.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmImportTest {

    private static ModelFolder folder;
    private static SafetensorsFile weights;
    private static OnnxGraph graph;

    @BeforeAll
    static void importMiniLm() throws IOException {
        folder = ImportedModels.allMiniLmL6V2();
        weights = folder.readWeights();
        try (InputStream onnx = MiniLmImportTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            graph = OnnxGraph.parse(onnx.readAllBytes(), "all-minilm-l6-v2.onnx");
        }
    }

    @Test
    void configJsonIsThatOfAllMiniLmL6V2() {
        assertThat(folder.config()).isEqualTo(BertConfig.allMiniLmL6V2());
    }

    @Test
    void hasTheParameterCountOfAllMiniLmL6V2() {
        long count = weights.tensors().values().stream().mapToLong(HostTensor::elementCount).sum();

        assertThat(count).isEqualTo(22_565_376L);
    }

    @Test
    void keepsEveryFloatInitializerAndDropsThePositionIdsBuffer() {
        assertThat(graph.initializers()).hasSize(102).containsKey("embeddings.position_ids");
        assertThat(graph.initializers().keySet().stream().filter(n -> n.startsWith("onnx::MatMul_"))).hasSize(36);

        assertThat(weights.tensors()).hasSize(101).doesNotContainKey("embeddings.position_ids");
    }

    @Test
    void hasNoPoolerAndNoHeads() {
        assertThat(weights.tensors().keySet()).noneMatch(name -> name.startsWith("pooler.") || name.startsWith("cls."));
    }

    @Test
    void matMulWeightsAreNamedByTheirNodeAndTransposedToOutIn() {
        String initializer = graph.nodes().stream()
                .filter(n -> n.name().equals("/encoder/layer.0/intermediate/dense/MatMul"))
                .findFirst().orElseThrow().inputs().get(1);
        HostTensor inOut = graph.initializers().get(initializer);
        HostTensor outIn = weights.tensor("encoder.layer.0.intermediate.dense.weight");

        assertThat(inOut.shape()).containsExactly(384, 1536);
        assertThat(outIn.shape()).containsExactly(1536, 384);
        float[] a = inOut.floats();
        float[] b = outIn.floats();
        for (int[] at : new int[][] {{0, 0}, {1, 0}, {0, 1}, {383, 1535}, {17, 1000}}) {
            assertThat(b[at[1] * 384 + at[0]]).isEqualTo(a[at[0] * 1536 + at[1]]);
        }
    }

    @Test
    void truncatedOnnxFileFailsNamingIt() throws IOException {
        byte[] onnx;
        try (InputStream in = MiniLmImportTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            onnx = in.readNBytes(40_000_000);
        }

        assertThatThrownBy(() -> OnnxBertImporter.readWeights(onnx, "cut/all-minilm-l6-v2.onnx", 12))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith("cut/all-minilm-l6-v2.onnx")
                .hasMessageContaining("truncated");
    }

    @Test
    void alreadyNamedInitializersAreCopiedUnchanged() {
        assertThat(weights.tensor("embeddings.word_embeddings.weight"))
                .isEqualTo(graph.initializers().get("embeddings.word_embeddings.weight"));
        assertThat(weights.tensor("encoder.layer.5.output.LayerNorm.bias"))
                .isEqualTo(graph.initializers().get("encoder.layer.5.output.LayerNorm.bias"));
    }
}
