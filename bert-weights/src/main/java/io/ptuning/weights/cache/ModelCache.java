package io.ptuning.weights.cache;

import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Model folders imported from Maven artifacts, once per machine: {@code <root>/<model name>}.
 * The root is the system property {@code ptuning.model.cache}, else the environment variable
 * {@code PTUNING_MODEL_CACHE}, else {@code ~/.cache/ptuning/models}. Imports are atomic and serialised
 * by a lock file, so concurrent JVMs import a model once and never see a half folder.
 */
public final class ModelCache {

    public static final String ROOT_PROPERTY = "ptuning.model.cache";
    public static final String ROOT_ENV = "PTUNING_MODEL_CACHE";
    private static final System.Logger LOG = System.getLogger(ModelCache.class.getName());
    private static final Object JVM_LOCK = new Object();

    private final Path root;
    private final ClassLoader classLoader;
    private final Path localRepository;

    public ModelCache(Path root, ClassLoader classLoader, Path localRepository) {
        this.root = root.toAbsolutePath();
        this.classLoader = classLoader;
        this.localRepository = localRepository;
    }

    /** The cache as configured by property, environment or default, finding artifacts on this class's classpath. */
    public static ModelCache configured() {
        return new ModelCache(configuredRoot(), ModelCache.class.getClassLoader(), localMavenRepository());
    }

    public static Path configuredRoot() {
        String property = System.getProperty(ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(ROOT_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ptuning", "models");
    }

    /** {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
    public static Path localMavenRepository() {
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    public Path root() {
        return root;
    }

    public Path folderOf(ModelArtifact artifact) {
        return root.resolve(artifact.modelName());
    }

    /** The model folder of {@code artifact}, imported first if this cache does not hold it yet. */
    public ModelFolder resolve(ModelArtifact artifact) {
        Path folder = folderOf(artifact);
        if (Files.isDirectory(folder)) {
            return ModelFolder.open(folder);
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(root);
                try (FileChannel lockFile = FileChannel.open(root.resolve("." + artifact.modelName() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockFile.lock()) {
                    if (Files.isDirectory(folder)) {
                        return ModelFolder.open(folder); // another process imported it while we waited
                    }
                    return importTo(artifact, folder, ArtifactSource.locate(artifact, classLoader, localRepository));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock model cache " + root + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The model folder called {@code name}: one of the {@link ModelArtifact}s (imported on first use), or any
     * Hugging Face BERT folder a user or test placed at {@code <root>/<name>} (e.g. with ImportModelCommand).
     */
    public ModelFolder resolve(String name) {
        if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("'" + name + "' is not a model cache name (a folder name, no path)");
        }
        for (ModelArtifact artifact : ModelArtifact.values()) {
            if (artifact.modelName().equals(name)) {
                return resolve(artifact);
            }
        }
        Path folder = root.resolve(name);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("no model '" + name + "' in the model cache " + root + "; known: "
                    + java.util.Arrays.stream(ModelArtifact.values()).map(ModelArtifact::modelName).toList()
                    + ", or import one: java -cp ... io.ptuning.weights.cache.ImportModelCommand <source> " + folder);
        }
        return ModelFolder.open(folder);
    }

    /**
     * Whether {@link #resolve(String)} would find a model called {@code name} without importing anything yet: one of
     * the {@link ModelArtifact}s (imported on first use) or a folder of this cache. Checks names only, loads nothing.
     */
    public boolean knows(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            return false;
        }
        for (ModelArtifact artifact : ModelArtifact.values()) {
            if (artifact.modelName().equals(name)) {
                return true;
            }
        }
        return Files.isDirectory(root.resolve(name));
    }

    /** Imports {@code artifact} from {@code source} into a new folder {@code target}, atomically. */
    public static ModelFolder importTo(ModelArtifact artifact, Path target, ArtifactSource source) {
        LOG.log(Level.INFO, "importing {0} from {1} into {2}", artifact.modelName(), source.description(), target);
        long start = System.nanoTime();
        ModelFolder folder = AtomicFolderImport.create(target, staging -> artifact.importInto(source, staging));
        LOG.log(Level.INFO, "imported {0} in {1} s", artifact.modelName(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return folder;
    }
}
