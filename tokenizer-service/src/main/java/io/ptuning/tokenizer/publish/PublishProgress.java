package io.ptuning.tokenizer.publish;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of the publishes of this process, read by metrics and the REST API while a publish runs. */
public final class PublishProgress {

    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong rowsTokenized = new AtomicLong();
    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong rowsPublished = new AtomicLong();
    private final AtomicLong batchesPublished = new AtomicLong();
    private final AtomicLong versionsPublished = new AtomicLong();
    private final AtomicLong versionsSkipped = new AtomicLong();
    private volatile String current = "idle";
    private volatile double lastRowsPerSecond;
    private volatile double lastPaddingRatio;

    void started(DatasetSource source) {
        current = source.dataset() + "/" + source.split().wireName() + " from " + source.file();
    }

    void read(long rows) {
        rowsRead.addAndGet(rows);
    }

    void tokenized(long rows) {
        rowsTokenized.addAndGet(rows);
    }

    void sent(long batches) {
        batchesSent.addAndGet(batches);
    }

    void finished(PublishReport report) {
        if (report.status() == PublishReport.Status.PUBLISHED) {
            rowsPublished.addAndGet(report.rows());
            batchesPublished.addAndGet(report.batches());
            versionsPublished.incrementAndGet();
        } else {
            versionsSkipped.incrementAndGet();
        }
        lastRowsPerSecond = report.rowsPerSecond();
        lastPaddingRatio = report.paddingRatio();
        current = "idle";
    }

    void failed() {
        current = "idle";
    }

    public long rowsRead() {
        return rowsRead.get();
    }

    public long rowsTokenized() {
        return rowsTokenized.get();
    }

    public long batchesSent() {
        return batchesSent.get();
    }

    /** Rows in committed versions. */
    public long rowsPublished() {
        return rowsPublished.get();
    }

    public long batchesPublished() {
        return batchesPublished.get();
    }

    public long versionsPublished() {
        return versionsPublished.get();
    }

    public long versionsSkipped() {
        return versionsSkipped.get();
    }

    /** What is being published now, or {@code idle}. */
    public String current() {
        return current;
    }

    public double lastRowsPerSecond() {
        return lastRowsPerSecond;
    }

    public double lastPaddingRatio() {
        return lastPaddingRatio;
    }
}
