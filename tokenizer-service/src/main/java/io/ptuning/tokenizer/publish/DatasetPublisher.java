package io.ptuning.tokenizer.publish;

import org.jboss.logging.Logger;

/**
 * One publish of one split: prepare everything (validation stops here, before Kafka is touched), then send the
 * version in one transaction unless the topic has it already. Plain Java, so the benchmark runs it without Quarkus.
 */
public final class DatasetPublisher {

    private static final Logger LOG = Logger.getLogger(DatasetPublisher.class);

    private final SplitPreparer preparer;
    private final BatchTopicPublisher topics;
    private final PublishProgress progress;

    public DatasetPublisher(SplitPreparer preparer, BatchTopicPublisher topics, PublishProgress progress) {
        this.preparer = preparer;
        this.topics = topics;
        this.progress = progress;
    }

    public PublishProgress progress() {
        return progress;
    }

    public synchronized PublishReport publish(DatasetSource source) {
        long start = System.nanoTime();
        progress.started(source);
        try {
            PreparedSplit split = preparer.prepare(source, progress);
            double prepared = (System.nanoTime() - start) / 1e9;
            LOG.infof("%s/%s: %d rows validated and tokenized into %d batches in %.1f s (%.0f rows/s), padding %.1f%%,"
                            + " version %s", source.dataset(), source.split().wireName(), split.rows(), split.batches().size(),
                    prepared, split.rows() / prepared, 100 * split.paddingRatio(), split.version());
            boolean sent = topics.publish(split, progress);
            double seconds = (System.nanoTime() - start) / 1e9;
            PublishReport report = new PublishReport(source.dataset(), source.split().wireName(), split.topic(),
                    split.version(), sent ? PublishReport.Status.PUBLISHED : PublishReport.Status.ALREADY_PUBLISHED,
                    split.rows(), split.batches().size(), split.paddingRatio(), split.meanLength(), split.maxLength(),
                    seconds, split.rows() / seconds);
            if (sent) {
                LOG.infof("%s: published version %s, %d batches, %d rows in %.1f s: %.0f rows/s from file to committed"
                                + " records", split.topic(), split.version(), report.batches(), report.rows(), seconds,
                        report.rowsPerSecond());
            } else {
                LOG.infof("%s: version %s is already published; nothing sent", split.topic(), split.version());
            }
            progress.finished(report);
            return report;
        } catch (RuntimeException e) {
            progress.failed();
            throw e;
        }
    }
}
