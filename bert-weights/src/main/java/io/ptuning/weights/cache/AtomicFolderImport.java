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
 * Creates a model folder all at once: the import writes into a hidden sibling folder that is renamed into
 * place when complete, so a killed import never leaves a half folder under the real name.
 */
final class AtomicFolderImport {

    private AtomicFolderImport() {}

    /** Runs {@code importer} on a fresh sibling of {@code target} and renames it to {@code target}, which must not exist. */
    static ModelFolder create(Path target, Function<Path, ModelFolder> importer) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            removeLeftovers(target);
            staging = Files.createTempDirectory(parent, stagingPrefix(target));
            importer.apply(staging);
            makeReadableByAll(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            return ModelFolder.open(target);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("cannot rename " + staging + " to " + target + " atomically", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create model folder " + target + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(staging);
        }
    }

    /** Staging folders of imports that were killed: nothing refers to them any more. */
    static void removeLeftovers(Path target) throws IOException {
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
            // a leftover staging folder is removed by the next import of the same model
        }
    }
}
