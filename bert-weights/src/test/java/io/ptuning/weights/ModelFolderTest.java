package io.ptuning.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    private static ModelFolder miniLm;
    private static SafetensorsFile miniLmWeights;

    @BeforeAll
    static void importMiniLm() {
        miniLm = ImportedModels.allMiniLmL6V2();
        miniLmWeights = miniLm.readWeights();
    }

    @Test
    void opensAnImportedFolderWithItsConfigAndFiles() {
        assertThat(miniLm.config()).isEqualTo(BertConfig.allMiniLmL6V2());
        assertThat(miniLm.weights()).isEqualTo(miniLm.path().resolve("model.safetensors")).isRegularFile();
        assertThat(miniLm.tokenizerJson()).isRegularFile();
        assertThat(miniLm.vocabulary().size()).isEqualTo(30522);
    }

    @Test
    void missingFilesAreListedWithWhatToDo(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Files.delete(folder.resolve("tokenizer.json"));
        Files.delete(folder.resolve("vocab.txt"));

        assertThatThrownBy(() -> ModelFolder.open(folder))
                .hasMessageContaining(folder.toString())
                .hasMessageContaining("lacks tokenizer.json, vocab.txt")
                .hasMessageContaining("import it again");
    }

    @Test
    void truncatedSafetensorsFailNamingTheFileAndATensor(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Path weights = folder.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> ModelFolder.open(folder).readWeights())
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(weights.toString())
                .hasMessageContaining("tensor '")
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptSafetensorsHeaderFailsNamingTheFile(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Path weights = folder.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[9] = '!';
        Files.write(weights, bytes);

        assertThatThrownBy(() -> ModelFolder.open(folder).readWeights())
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(weights.toString())
                .hasMessageContaining("not JSON");
    }

    @Test
    void shapeThatDoesNotFitTheConfigFailsNamingTheFileAndTensor(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Map<String, HostTensor> tensors = new TreeMap<>(miniLmWeights.tensors());
        tensors.put("encoder.layer.3.attention.self.query.bias", HostTensor.ofFloats(new long[] {383}, new float[383]));
        new SafetensorsFile(tensors, miniLmWeights.metadata()).write(folder.resolve("model.safetensors"));

        assertThatThrownBy(() -> ModelFolder.open(folder).readWeights())
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(folder.resolve("model.safetensors").toString())
                .hasMessageContaining("tensor 'encoder.layer.3.attention.self.query.bias'")
                .hasMessageContaining("[383]")
                .hasMessageContaining("[384]");
    }

    @Test
    void unknownTensorNameFailsNamingTheFileAndTensor(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Map<String, HostTensor> tensors = new TreeMap<>(miniLmWeights.tensors());
        tensors.put("encoder.layer.0.attention.self.qurey.bias", HostTensor.ofFloats(new long[] {384}, new float[384]));
        new SafetensorsFile(tensors, miniLmWeights.metadata()).write(folder.resolve("model.safetensors"));

        assertThatThrownBy(() -> ModelFolder.open(folder).readWeights())
                .isInstanceOf(MalformedWeightsException.class)
                .hasMessageStartingWith(folder.resolve("model.safetensors").toString())
                .hasMessageContaining("tensor 'encoder.layer.0.attention.self.qurey.bias'")
                .hasMessageContaining("not a BERT parameter name");
    }

    @Test
    void missingEncoderTensorFailsNamingIt(@TempDir Path dir) throws IOException {
        Path folder = copyOf(miniLm, dir);
        Map<String, HostTensor> tensors = new TreeMap<>(miniLmWeights.tensors());
        tensors.remove("encoder.layer.5.output.dense.weight");
        new SafetensorsFile(tensors, miniLmWeights.metadata()).write(folder.resolve("model.safetensors"));

        assertThatThrownBy(() -> ModelFolder.open(folder).readWeights())
                .hasMessageContaining("tensor 'encoder.layer.5.output.dense.weight'")
                .hasMessageContaining("missing");
    }

    private static Path copyOf(ModelFolder model, Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt"}) {
            Files.copy(model.path().resolve(file), folder.resolve(file));
        }
        return folder;
    }
}
