package io.ptuning.weights.dataset;

import java.io.PrintStream;

/**
 * A one-line progress bar for a download, e.g. {@code SST-2.zip [#########           ]  45%  3.3/7.4 MB}, redrawn
 * in place (carriage return) at most once per percent so a log file gets few lines; without a known size, MB only.
 */
final class DownloadProgress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String name;
    private final long total;
    private long done;
    private long lastShown = -1;

    /** {@code total}: the size in bytes, or -1 if the server did not say. */
    DownloadProgress(PrintStream out, String name, long total) {
        this.out = out;
        this.name = name;
        this.total = total;
    }

    void advance(long bytes) {
        done += bytes;
        long step = total > 0 ? done * 100 / total : done >> 20;
        if (step != lastShown) {
            lastShown = step;
            out.print("\r" + line());
            out.flush();
        }
    }

    void finish() {
        out.println("\r" + line());
    }

    String line() {
        if (total <= 0) {
            return String.format("%s %.1f MB", name, done / 1e6);
        }
        int filled = (int) (WIDTH * done / total);
        return String.format("%s [%s%s] %3d%% %5.1f/%.1f MB", name, "#".repeat(filled), " ".repeat(WIDTH - filled),
                done * 100 / total, done / 1e6, total / 1e6);
    }
}
