package io.ptuning.tokenizer.publish;

/**
 * The outcome of publishing one split, as logged and returned by the REST API.
 *
 * @param status        {@code PUBLISHED}, or {@code ALREADY_PUBLISHED} when the topic held this version already
 * @param rows          data rows in the file
 * @param batches       batch records of this version
 * @param paddingRatio  pad positions / all positions over the version's batches
 * @param seconds       wall time from reading the file to the committed transaction
 * @param rowsPerSecond {@code rows / seconds}
 */
public record PublishReport(
        String dataset,
        String split,
        String topic,
        String datasetVersion,
        Status status,
        long rows,
        int batches,
        double paddingRatio,
        double meanLength,
        int maxLength,
        double seconds,
        double rowsPerSecond) {

    public enum Status { PUBLISHED, ALREADY_PUBLISHED }
}
