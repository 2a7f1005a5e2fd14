package io.ptuning.weights.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fetches GLUE's SST-2.zip over HTTP(S) into a folder and unpacks its three TSV files there, checked against their
 * pinned SHA-256s ({@link Sst2Files}). Writes only into the folder it is given (a staging folder; the caller moves
 * it into the cache once this returns).
 */
final class Sst2Download {

    /** A download that receives nothing for this long is given up (the HTTP client has no read timeout). */
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    private final URI url;
    private final PrintStream progress;
    private final Duration stallLimit;
    private final HttpClient http;

    Sst2Download(URI url, PrintStream progress) {
        this(url, progress, STALL_LIMIT);
    }

    Sst2Download(URI url, PrintStream progress, Duration stallLimit) {
        this.url = url;
        this.progress = progress;
        this.stallLimit = stallLimit;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** Downloads, unpacks and verifies into {@code folder}; throws (leaving the folder to its owner) on any problem. */
    void into(Path folder) throws IOException {
        Path zip = folder.resolve("SST-2.zip.part");
        download(zip);
        unpack(zip, folder);
        Files.delete(zip);
        Sst2Files.verify(folder);
    }

    private void download(Path zip) throws IOException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + url, e);
        } catch (IOException e) {
            // e.g. ConnectException, whose message is often empty: name the kind of failure
            throw new IOException("no connection (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(url + " answered HTTP " + response.statusCode());
            }
            long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            DownloadProgress bar = new DownloadProgress(progress, "SST-2.zip", size);
            long received = 0;
            AtomicLong lastData = new AtomicLong(System.nanoTime());
            AtomicBoolean stalled = new AtomicBoolean();
            ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "sst2-download-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            long check = Math.max(1, stallLimit.toMillis() / 4);
            watchdog.scheduleWithFixedDelay(() -> { // closing the body ends a read that would block for ever
                if (System.nanoTime() - lastData.get() > stallLimit.toNanos() && !stalled.getAndSet(true)) {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // the reader fails either way
                    }
                }
            }, check, check, TimeUnit.MILLISECONDS);
            try (OutputStream out = Files.newOutputStream(zip)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    lastData.set(System.nanoTime());
                    out.write(buffer, 0, n);
                    received += n;
                    bar.advance(n);
                }
            } catch (IOException e) {
                if (!stalled.get()) {
                    throw e;
                }
            } finally {
                watchdog.shutdownNow();
            }
            if (stalled.get()) { // the closed body either failed the read or ended it early
                throw new IOException("the download stalled: nothing received for " + stallLimit.toSeconds()
                        + " s after " + received + " bytes");
            }
            bar.finish();
            if (size >= 0 && received != size) {
                throw new IOException("the download stopped after " + received + " of " + size + " bytes");
            }
        }
    }

    /** Extracts {@code SST-2/<name>} for the three pinned names; other entries are skipped. */
    private static void unpack(Path zip, Path folder) throws IOException {
        Set<String> seen = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (entry.isDirectory() || !name.startsWith(Sst2Files.ZIP_FOLDER)) {
                    continue;
                }
                String file = name.substring(Sst2Files.ZIP_FOLDER.length());
                if (Sst2Files.SHA256.containsKey(file) && seen.add(file)) {
                    Files.copy(in, folder.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (seen.isEmpty()) {
            throw new IOException("the download is not a zip holding " + Sst2Files.ZIP_FOLDER + "train.tsv");
        }
    }
}
