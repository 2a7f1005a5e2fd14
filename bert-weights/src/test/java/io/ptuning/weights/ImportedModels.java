package io.ptuning.weights;

import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import java.nio.file.Path;

/**
 * The real models, imported once per build into {@code target/model-cache} (or {@code -Dptuning.model.cache})
 * from the artifact jars on the test classpath, and shared by every test class.
 */
public final class ImportedModels {

    private static final ModelCache CACHE = new ModelCache(
            Path.of(System.getProperty(ModelCache.ROOT_PROPERTY, "target/model-cache")),
            ImportedModels.class.getClassLoader(), ModelCache.localMavenRepository());

    private ImportedModels() {}

    public static ModelCache cache() {
        return CACHE;
    }

    public static ModelFolder bertBaseUncased() {
        return CACHE.resolve(ModelArtifact.BERT_BASE_UNCASED);
    }

    public static ModelFolder allMiniLmL6V2() {
        return CACHE.resolve(ModelArtifact.ALL_MINILM_L6_V2);
    }
}
