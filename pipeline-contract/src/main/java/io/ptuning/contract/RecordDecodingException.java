package io.ptuning.contract;

/**
 * A record that does not follow the contract; the message names where it was read (topic, partition, offset)
 * and, where known, the field. Consumers send such records to {@link Topics#deadLetter} and go on.
 */
public class RecordDecodingException extends RuntimeException {

    private final String location;
    private final String field;

    public RecordDecodingException(String location, String field, String problem, Throwable cause) {
        super(location + (field == null ? "" : ": field '" + field + "'") + ": " + problem, cause);
        this.location = location;
        this.field = field;
    }

    /** {@code topic/partition@offset}, or whatever the caller gave as the source. */
    public String location() {
        return location;
    }

    /** The offending field, or null when the record as a whole is unreadable. */
    public String field() {
        return field;
    }

    /** How records are named in errors: {@code sst2.batches.train-0@42}. */
    public static String location(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }
}
