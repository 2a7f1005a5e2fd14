package io.ptuning.weights.tfcheckpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.SafetensorsFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBundleTest {

    @Test
    void indexListsAllBertBaseVariablesWithTheirShapes() {
        TensorBundle bundle = TensorBundle.open(TensorBundleSample.index());

        assertThat(StreamSupport.stream(bundle.names().spliterator(), false))
                .contains("module/bert/encoder/layer_11/output/LayerNorm/gamma", "module/cls/predictions/output_bias")
                .hasSize(5 + 12 * 16 + 2 + 5);
        assertThat(bundle.shape("module/bert/embeddings/word_embeddings")).containsExactly(30522, 768);
        assertThat(bundle.shape("module/bert/encoder/layer_0/intermediate/dense/kernel")).containsExactly(768, 3072);
    }

    @Test
    void kernelsAreImportedTransposedAndTablesUnchanged() {
        TensorBundle bundle = TensorBundle.open(TensorBundleSample.index());
        SafetensorsFile imported = ImportedModels.bertBaseUncased().readWeights();

        HostTensor kernel = bundle.read("module/bert/encoder/layer_0/attention/output/dense/kernel");
        HostTensor weight = imported.tensor("encoder.layer.0.attention.output.dense.weight");
        float[] k = kernel.floats();
        float[] w = weight.floats();
        for (int[] at : new int[][] {{0, 1}, {1, 0}, {5, 700}, {767, 3}}) {
            assertThat(w[at[1] * 768 + at[0]]).isEqualTo(k[at[0] * 768 + at[1]]);
        }
        assertThat(k[1]).isNotEqualTo(k[768]);
        assertThat(imported.tensor("embeddings.word_embeddings.weight"))
                .isEqualTo(bundle.read("module/bert/embeddings/word_embeddings"));
    }

    @Test
    void truncatedDataFileFailsNamingTheDataFileAndTheTensor() {
        Path index = TensorBundleSample.index();

        assertThatThrownBy(() -> TfCheckpointImporter.readWeights(index, OptionalInt.empty()))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageContaining(TensorBundleSample.data().toString())
                .hasMessageContaining("tensor 'module/")
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptTensorBytesFailTheCrcCheckNamingTheTensor(@TempDir Path dir) throws IOException {
        Path index = Files.copy(TensorBundleSample.index(), dir.resolve("variables.index"));
        Path data = dir.resolve("variables.data-00000-of-00001");
        try (RandomAccessFile sample = new RandomAccessFile(TensorBundleSample.data().toFile(), "r")) {
            byte[] head = new byte[1 << 20];
            sample.readFully(head);
            head[100] ^= 0x40;
            Files.write(data, head);
        }
        TensorBundle bundle = TensorBundle.open(index);

        assertThatThrownBy(() -> bundle.read("module/bert/embeddings/LayerNorm/beta"))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageContaining(data.toString())
                .hasMessageContaining("tensor 'module/bert/embeddings/LayerNorm/beta'")
                .hasMessageContaining("crc32c");
    }

    @Test
    void truncatedIndexFailsNamingTheIndexFile(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TensorBundleSample.index());
        Path index = Files.write(dir.resolve("variables.index"), java.util.Arrays.copyOf(bytes, bytes.length - 20));

        assertThatThrownBy(() -> TensorBundle.open(index))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(index.toString())
                .hasMessageContaining("magic");
    }

    @Test
    void corruptIndexBlockFailsItsCrcCheck(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TensorBundleSample.index());
        bytes[40] ^= 0x01;
        Path index = Files.write(dir.resolve("variables.index"), bytes);

        assertThatThrownBy(() -> TensorBundle.open(index))
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(index.toString())
                .hasMessageContaining("crc32c");
    }
}
