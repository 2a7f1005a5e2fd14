package io.ptuning.contract.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The {@code ptuning.record} header: the type of a record's value, so a consumer can route records without decoding them. */
public final class RecordTypeHeader {

    public static final String NAME = "ptuning.record";

    private RecordTypeHeader() {
    }

    public static Header of(String recordType) {
        return new RecordHeader(NAME, recordType.getBytes(StandardCharsets.UTF_8));
    }

    /** The record type {@code headers} name (the last such header), or empty when none does. */
    public static Optional<String> read(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(NAME);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }
}
