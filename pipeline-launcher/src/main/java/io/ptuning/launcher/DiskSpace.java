package io.ptuning.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space under the work folder, watched while the pipeline runs. Kafka takes a full disk as a failed log
 * folder and halts the broker (here: the launcher's own JVM) mid-write; stopping everything in order while some
 * space is left keeps the folder whole, and the same command resumes the run once space is freed.
 */
final class DiskSpace {

    /** Below this the pipeline is stopped ({@code -Dptuning.work.min-free-bytes} changes it). */
    static final long MIN_FREE_WHILE_RUNNING = 512L * 1024 * 1024;

    private DiskSpace() {
    }

    static long minimumWhileRunning() {
        return Long.getLong("ptuning.work.min-free-bytes", MIN_FREE_WHILE_RUNNING);
    }

    /** Throws, saying what to do, when the file system of {@code folder} has less than {@code minimum} bytes free. */
    static void requireFree(Path folder, long minimum) {
        long free;
        try {
            free = Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space under " + folder + ": " + e.getMessage(), e);
        }
        if (free < minimum) {
            throw new DiskFullException(String.format("the disk under %s has %.0f MB free, less than the %.0f MB the"
                    + " broker needs to keep writing; the pipeline was stopped in order before it filled up, and"
                    + " nothing written is lost. Free some space and run the same command again: the run resumes"
                    + " from its last checkpoint", folder, free / 1e6, minimum / 1e6));
        }
    }

    /** The disk is (nearly) full: a condition the user fixes, not a bug. */
    static final class DiskFullException extends IllegalStateException {
        DiskFullException(String message) {
            super(message);
        }
    }
}
