package io.ptuning.contract.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * The headers of a record on a dead-letter topic ({@code <topic>.dlq}): why it was set aside and where it came from,
 * so a person can find, fix and re-publish it. The names are those SmallRye Reactive Messaging's dead-letter-queue
 * strategy writes, so the dead letters of every service read alike, whoever wrote them.
 */
public final class DeadLetterHeaders {

    /** Why the record cannot be used. */
    public static final String REASON = "dead-letter-reason";
    /** The topic the record was read from. */
    public static final String TOPIC = "dead-letter-topic";
    /** Its partition there, in decimal. */
    public static final String PARTITION = "dead-letter-partition";
    /** Its offset there, in decimal. */
    public static final String OFFSET = "dead-letter-offset";
    /** The run that met the record, when one did; a name in SmallRye's style, not one SmallRye writes. */
    public static final String RUN_ID = "dead-letter-run-id";

    private DeadLetterHeaders() {
    }

    /** Adds the headers to {@code headers}; {@code runId} may be null. Returns {@code headers}. */
    public static Headers add(Headers headers, String reason, String topic, int partition, long offset, String runId) {
        headers.add(REASON, utf8(reason));
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(Integer.toString(partition)));
        headers.add(OFFSET, utf8(Long.toString(offset)));
        if (runId != null) {
            headers.add(RUN_ID, utf8(runId));
        }
        return headers;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
