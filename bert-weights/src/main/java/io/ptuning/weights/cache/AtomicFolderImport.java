package io.ptuning.weights.cache;

import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Creates a cache folder (a model, a dataset) all at once: the import writes into a hidden sibling folder that is
 * renamed into place when complete, so a killed or failed import never leaves a half folder under the real name.
 */
public final class AtomicFolderImport {

    /** Fills a staging folder; throwing leaves nothing behind. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path staging) throws IOException;
    }

    private AtomicFolderImport() {}

    /** Runs {@code importer} on a fresh sibling of {@code target} and renames it to {@code target}, which must not exist. */
    static ModelFolder create(Path target, Function<Path, ModelFolder> importer) {
        createFolder(target, staging -> importer.apply(staging));
        return ModelFolder.open(target);
    }

    /**
     * Runs {@code filler} on a fresh hidden sibling of {@code target} and renames it to {@code target}, which must not
     * exist; if {@code filler} throws, the sibling is deleted and the exception propagates (IOException as unchecked).
     */
    public static void createFolder(Path target, Filler filler) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            removeLeftovers(target);
            staging = Files.createTempDirectory(parent, stagingPrefix(target));
            filler.fill(staging);
            makeReadableByAll(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("cannot rename " + staging + " to " + target + " atomically", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create folder " + target + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(staging);
        }
    }

    /** Staging folders of imports that were killed: nothing refers to them any more. */
    public static void removeLeftovers(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        String prefix = stagingPrefix(target);
        try (Stream<Path> siblings = Files.list(parent)) {
            siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(AtomicFolderImport::deleteRecursively);
        }
    }

    /** Temp folders are private to their owner; a model folder is shared like any cache. */
    private static void makeReadableByAll(Path folder) throws IOException {
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    private static String stagingPrefix(Path target) {
        return "." + target.getFileName() + ".importing-";
    }

    private static void deleteRecursively(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover staging folder is removed by the next import into the same target
        }
    }
}
