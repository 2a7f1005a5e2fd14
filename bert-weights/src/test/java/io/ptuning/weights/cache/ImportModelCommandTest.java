package io.ptuning.weights.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportModelCommandTest {

    @Test
    void importsAnArtifactByNameIntoTheTargetFolderByteForByteAsTheCacheDoes(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("minilm");

        ModelFolder folder = ImportModelCommand.run(new String[] {"all-minilm-l6-v2", target.toString()});

        assertThat(folder.path()).isEqualTo(target);
        assertThat(folder.config()).isEqualTo(BertConfig.allMiniLmL6V2());
        assertThat(Files.mismatch(folder.weights(), ImportedModels.allMiniLmL6V2().weights())).isEqualTo(-1L);
    }

    @Test
    void refusesAnExistingTarget(@TempDir Path dir) {
        assertThatThrownBy(() -> ImportModelCommand.run(new String[] {"all-minilm-l6-v2", dir.toString()}))
                .hasMessageContaining("exists already");
    }

    @Test
    void unknownModelNamesTheKnownOnes(@TempDir Path dir) {
        assertThatThrownBy(() -> ImportModelCommand.run(new String[] {"gpt-2", dir.resolve("x").toString()}))
                .hasMessageContaining("bert-base-uncased")
                .hasMessageContaining("all-minilm-l6-v2");
    }

    @Test
    void checkpointWithoutVocabBesideItIsRefused(@TempDir Path dir) throws IOException {
        Path index = Files.write(dir.resolve("bert_model.ckpt.index"), new byte[0]);

        assertThatThrownBy(() -> ImportModelCommand.run(new String[] {index.toString(), dir.resolve("out").toString()}))
                .hasMessageContaining("vocab.txt");
    }

    @Test
    void missingArgumentsPrintUsage() {
        assertThatThrownBy(() -> ImportModelCommand.run(new String[] {"bert-base-uncased"}))
                .hasMessageStartingWith("usage: ImportModelCommand");
    }
}
