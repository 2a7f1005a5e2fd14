package io.ptuning.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The folder that holds a launcher's runs for good (as MLflow's {@code ./mlruns}): the broker's data (every run
 * request, checkpoint and metric event), the Kafka and HTTP logins, and the services' logs. It outlives the command:
 * the launcher reopens it, resumes an unfinished run in it and serves every run in it.
 *
 * <p>Opening it checks that it is one (a marker file with its format), that this launcher reads its format, and
 * that no other launcher holds it (an OS file lock, released when that process ends, however it ends). The folder
 * is owner-only (mode 700): it holds secrets, and records nobody else needs to read. Nothing is written into a
 * folder that fails a check.
 */
final class WorkFolder implements AutoCloseable {

    /** The folder the main command uses without {@code --work}: beside the user, where no build cleans. */
    static final String DEFAULT = "ptuning-runs";
    static final String MARKER = "ptuning-work.properties";
    /** The layout this launcher writes and reads; a later layout that this one cannot read gets a higher number. */
    static final int FORMAT = 1;
    private static final String LOCK = ".lock";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean created;

    private WorkFolder(Path root, FileChannel lockChannel, FileLock lock, boolean created) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.created = created;
    }

    /** A problem with the folder itself; the launcher prints it and exits without touching the folder. */
    static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }

    /** Opens {@code dir} as a work folder, making it one if it is new or empty, and locks it for this process. */
    static WorkFolder open(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        try {
            boolean created = !Files.exists(root) || isEmptyFolder(root);
            if (!created) {
                checkFormat(root);
            }
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            FileChannel channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new Refused("the work folder " + root + " is in use by a running launcher (" + holder(root)
                        + "): stop it first, or pass --work DIR for another folder");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            if (created) {
                writeMarker(root);
            }
            return new WorkFolder(root, channel, lock, created);
        } catch (IOException e) {
            throw new Refused("cannot use the work folder " + root + ": " + e.getMessage());
        }
    }

    /**
     * Refuses a folder that holds no runs yet (absent or empty), or is no work folder this launcher reads, for commands
     * that only read runs; takes no lock.
     */
    static void requireExisting(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        try {
            if (!Files.exists(root) || isEmptyFolder(root)) {
                throw new Refused("there are no runs in " + root + ": run the main command first, or pass --work DIR"
                        + " with the folder it used");
            }
            checkFormat(root);
        } catch (IOException e) {
            throw new Refused("cannot read the work folder " + root + ": " + e.getMessage());
        }
    }

    private static boolean isEmptyFolder(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new Refused(root + " is a file, not a work folder: pass --work DIR with a folder");
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void checkFormat(Path root) throws IOException {
        Path marker = root.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            if (Files.isDirectory(root.resolve("kafka")) && Files.isDirectory(root.resolve("security"))) {
                throw new Refused(root + " was made by an earlier version of the launcher, whose broker cannot be"
                        + " reopened (it did not keep the broker's own password); keep it for its records and pass"
                        + " --work DIR for a new folder");
            }
            throw new Refused(root + " is not a work folder of this launcher (it has no " + MARKER + ") and is not"
                    + " empty: pass --work DIR with a new or empty folder, or with one the launcher made");
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(marker)) {
            props.load(in);
        }
        int format;
        try {
            format = Integer.parseInt(props.getProperty("format", "").trim());
        } catch (NumberFormatException e) {
            throw new Refused(marker + " has no valid 'format' (found '" + props.getProperty("format")
                    + "'): is it a work folder of this launcher?");
        }
        if (format > FORMAT) {
            throw new Refused(root + " was made by a newer launcher (work folder format " + format + "; this one reads "
                    + FORMAT + "): use that launcher, or pass --work DIR for another folder");
        }
    }

    private static void writeMarker(Path root) throws IOException {
        Properties props = new Properties();
        props.setProperty("format", String.valueOf(FORMAT));
        props.setProperty("created", Instant.now().toString());
        try (OutputStream out = Files.newOutputStream(root.resolve(MARKER))) {
            props.store(out, "a work folder of the P-Tuning v2 pipeline launcher: runs, broker data, logins, logs");
        }
    }

    private static String holder(Path root) {
        try {
            String line = Files.readString(root.resolve(LOCK)).trim();
            return line.isEmpty() ? "its lock is held" : line;
        } catch (IOException e) {
            return "its lock is held";
        }
    }

    Path root() {
        return root;
    }

    /** True when this open made the folder: there are no runs in it yet. */
    boolean isNew() {
        return created;
    }

    Path kafka() {
        return root.resolve("kafka");
    }

    Path security() {
        return root.resolve("security");
    }

    Path logs() {
        return root.resolve("logs");
    }

    /** Releases the lock; the folder and everything in it stay. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of " + root, e);
        }
    }
}
