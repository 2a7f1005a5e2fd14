package io.ptuning.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reader written from the safetensors spec alone (u64 LE header size, JSON header, raw LE data), with none of
 * the project's codecs: what a non-project consumer would do.
 */
record PlainSafetensors(JsonNode header, ByteBuffer data) {

    static PlainSafetensors parse(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = Math.toIntExact(buffer.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerSize, StandardCharsets.UTF_8));
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + headerSize, bytes.length - 8 - headerSize).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new PlainSafetensors(header, data);
    }

    Map<String, String> metadata() {
        Map<String, String> metadata = new TreeMap<>();
        header.path("__metadata__").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return metadata;
    }

    long[] shape(String tensor) {
        JsonNode shape = header.get(tensor).get("shape");
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong();
        }
        return dims;
    }

    long[] int64(String tensor) {
        JsonNode entry = header.get(tensor);
        if (!"I64".equals(entry.get("dtype").asText())) {
            throw new IllegalStateException(tensor + " is " + entry.get("dtype"));
        }
        int begin = entry.get("data_offsets").get(0).asInt();
        int end = entry.get("data_offsets").get(1).asInt();
        long[] values = new long[(end - begin) / 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.getLong(begin + 8 * i);
        }
        return values;
    }
}
