package io.ptuning.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/** JSON record values (run requests, event data): one mapper, canonical key order, errors that say where. */
public final class JsonRecords {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private JsonRecords() {}

    public static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes {@code bytes} as a {@code type}; {@code location} (topic-partition@offset) names the record in errors. */
    public static <T> T decode(byte[] bytes, Class<T> type, String location) {
        if (bytes == null) {
            throw new RecordDecodingException(location, null, "empty value; expected a " + type.getSimpleName(), null);
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            // A record's own validation (IllegalArgumentException) says best what is wrong.
            String problem = e.getCause() instanceof IllegalArgumentException invalid
                    ? invalid.getMessage() : e.getOriginalMessage();
            throw new RecordDecodingException(location, null, "not a valid " + type.getSimpleName() + ": " + problem, e);
        } catch (IOException e) {
            throw new RecordDecodingException(location, null, "unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
