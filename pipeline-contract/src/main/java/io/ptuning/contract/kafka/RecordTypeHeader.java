package io.ptuning.contract.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The {@code ptuning.record} header: the type of a record's value, so a consumer can route records without decoding them. */
public final class RecordTypeHeader {

    public static final String NAME = "ptuning.record";

    private RecordTypeHeader() {
    }

    public static Header of(String recordType) {
        return new RecordHeader(NAME, recordType.getBytes(StandardCharsets.UTF_8));
    }
}
