package io.ptuning.weights.dataset;

import io.ptuning.weights.cache.AtomicFolderImport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Finds SST-2 the way Hugging Face {@code datasets} does, fetching it on first use: 1. {@code SST2_DIR}; 2. the
 * data cache; 3. a download of GLUE's SST-2.zip, verified against pinned SHA-256s and moved into the cache
 * atomically, so the cache holds the complete verified files or nothing. Downloads are serialised by a lock file,
 * so concurrent processes download once.
 */
public final class Sst2Resolver {

    private static final Object JVM_LOCK = new Object();

    private final Sst2Settings settings;
    private final PrintStream progress;

    /** {@code progress}: where the download's progress bar goes (stderr in the launcher and the services). */
    public Sst2Resolver(Sst2Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** This process's configuration, progress on stderr. */
    public static Sst2Resolver configured() {
        return new Sst2Resolver(Sst2Settings.configured(), System.err);
    }

    /** The folder holding train.tsv, dev.tsv (and test.tsv); downloads it first if needed. */
    public Path resolve() {
        if (settings.sst2Dir() != null) {
            if (!Sst2Files.presentIn(settings.sst2Dir())) {
                throw new DatasetUnavailableException(Sst2Settings.SST2_DIR_ENV + "=" + settings.sst2Dir()
                        + " does not hold " + Sst2Files.REQUIRED + ". " + howToSupply(), null);
            }
            return settings.sst2Dir();
        }
        Path folder = settings.cacheFolder();
        if (Sst2Files.presentIn(folder)) {
            return folder;
        }
        if (settings.offline()) {
            throw unavailable("offline (" + Sst2Settings.OFFLINE_ENV + " is set), so nothing was downloaded", null);
        }
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(settings.cacheRoot());
                try (FileChannel lockFile = FileChannel.open(settings.cacheRoot().resolve(".sst2.lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockFile.lock()) {
                    if (Sst2Files.presentIn(folder)) {
                        return folder; // another process downloaded it while we waited
                    }
                    return download(folder);
                }
            } catch (IOException e) {
                throw unavailable("cannot use the data cache " + settings.cacheRoot() + ": " + e.getMessage(), e);
            }
        }
    }

    private Path download(Path folder) {
        progress.println("SST-2 is not in the data cache yet: downloading " + settings.url() + " into " + folder);
        try {
            if (Files.exists(folder)) {
                throw new IOException(folder + " exists but lacks " + Sst2Files.REQUIRED + "; remove it");
            }
            AtomicFolderImport.createFolder(folder, staging -> new Sst2Download(settings.url(), progress).into(staging));
        } catch (UncheckedIOException e) {
            throw unavailable(describe(e.getCause()), e.getCause());
        } catch (IOException | RuntimeException e) {
            throw unavailable(describe(e), e);
        }
        progress.println("SST-2 verified (SHA-256 of " + Sst2Files.SHA256.keySet() + ") and cached in " + folder);
        return folder;
    }

    private DatasetUnavailableException unavailable(String reason, Throwable cause) {
        return new DatasetUnavailableException("SST-2 is not in the data cache " + settings.cacheFolder()
                + " and could not be downloaded from " + settings.url() + ": " + reason + ". " + howToSupply(), cause);
    }

    /** What a person without network can do; every failure ends with it. */
    static String howToSupply() {
        return "Supply the files by hand: get GLUE's SST-2.zip (" + Sst2Settings.GLUE_URL + ") on a machine with"
                + " network, unzip it, and point " + Sst2Settings.SST2_DIR_ENV + " (launcher: --sst2 DIR) at its SST-2"
                + " folder (train.tsv, dev.tsv, test.tsv), or copy those files into the data cache's sst2 folder"
                + " (README.md, 'Getting SST-2')";
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
