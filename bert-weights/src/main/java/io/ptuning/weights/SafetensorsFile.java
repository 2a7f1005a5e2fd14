package io.ptuning.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Named tensors plus string metadata in the safetensors format
 * (https://github.com/huggingface/safetensors: u64 header length, JSON header, raw little-endian data).
 *
 * <p>Encoding is canonical: tensors sorted by name, data in that order, header padded with spaces to 8 bytes.
 * The same tensors and metadata always give the same bytes, which is what makes checkpoints comparable
 * bit for bit. Any safetensors reader (Python {@code safetensors}, DJL {@code NDList.decode}) reads them.
 */
public record SafetensorsFile(SortedMap<String, HostTensor> tensors, SortedMap<String, String> metadata) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA_KEY = "__metadata__";
    /** Refuse headers larger than this: a corrupt length field must not allocate gigabytes. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    public SafetensorsFile {
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    public SafetensorsFile(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        this(new TreeMap<>(tensors), new TreeMap<>(metadata));
    }

    /** The tensor called {@code name}; fails naming the source when it is absent. */
    public HostTensor tensor(String name) {
        HostTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' (has " + tensors.size() + ": "
                    + abbreviate(tensors.keySet().toString()) + ")");
        }
        return tensor;
    }

    public static SafetensorsFile read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            return decode(mapped, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    public static SafetensorsFile decode(byte[] bytes, String source) {
        return decode(ByteBuffer.wrap(bytes), source);
    }

    /** Decodes safetensors bytes; {@code source} (a file, a topic/offset) names the input in every error. */
    public static SafetensorsFile decode(ByteBuffer bytes, String source) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 8) {
            throw new MalformedWeightsException(source, "only " + in.remaining() + " bytes; not a safetensors file");
        }
        long headerLength = in.getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > in.remaining() - 8) {
            throw new MalformedWeightsException(source, "header length " + headerLength + " does not fit a file of "
                    + in.remaining() + " bytes; not a safetensors file, or truncated");
        }
        byte[] header = new byte[(int) headerLength];
        in.get(8, header);
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MalformedWeightsException(source, "header is not JSON: " + e.getMessage());
        }
        long dataStart = 8 + headerLength;
        long dataLength = in.limit() - dataStart;
        SortedMap<String, HostTensor> tensors = new TreeMap<>();
        SortedMap<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA_KEY.equals(field.getKey())) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(field.getKey(), decodeTensor(in, dataStart, dataLength, field.getKey(), field.getValue(), source));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    private static HostTensor decodeTensor(
            ByteBuffer in, long dataStart, long dataLength, String name, JsonNode entry, String source) {
        try {
            DType dtype = DType.fromSafetensors(entry.path("dtype").asText());
            JsonNode shapeNode = entry.path("shape");
            if (!shapeNode.isArray()) {
                throw new MalformedWeightsException(source, name, "shape " + shapeNode + " is not an array");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode dim = shapeNode.get(i);
                if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
                    throw new MalformedWeightsException(source, name, "shape " + shapeNode
                            + " holds something other than a non-negative integer");
                }
                shape[i] = dim.asLong();
            }
            long begin = entry.path("data_offsets").path(0).asLong(-1);
            long end = entry.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin) {
                throw new MalformedWeightsException(source, name, "bad data_offsets " + entry.path("data_offsets"));
            }
            if (end > dataLength) {
                throw new MalformedWeightsException(source, name, "needs data bytes [" + begin + ", " + end
                        + ") but the file holds only " + dataLength + " data bytes (truncated?)");
            }
            // Exact: a shape whose byte count overflows (or wraps to the data's length) is no tensor of this file.
            long expected;
            try {
                expected = Math.multiplyExact(HostTensor.elementCount(shape), (long) dtype.bytes());
            } catch (ArithmeticException e) {
                throw new MalformedWeightsException(source, name, "shape " + shapeNode + " of " + dtype
                        + " has more bytes than a long counts");
            }
            if (end - begin != expected) {
                throw new MalformedWeightsException(source, name, "shape " + shapeNode + " of " + dtype + " needs "
                        + expected + " bytes, data_offsets give " + (end - begin));
            }
            byte[] data = new byte[(int) (end - begin)];
            in.get((int) (dataStart + begin), data);
            return new HostTensor(dtype, shape, data);
        } catch (IllegalArgumentException e) {
            if (e instanceof MalformedWeightsException) {
                throw e;
            }
            throw new MalformedWeightsException(source, name, e.getMessage());
        }
    }

    public byte[] encode() {
        byte[] header = headerBytes();
        long dataLength = tensors.values().stream().mapToLong(t -> t.data().length).sum();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + header.length + dataLength)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        tensors.values().forEach(t -> out.put(t.data()));
        return out.array();
    }

    /** Writes the file atomically: a reader never sees a half-written model or checkpoint. */
    public void write(Path file) {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] header = headerBytes();
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                out.write(header);
                for (HostTensor tensor : tensors.values()) {
                    out.write(tensor.data());
                }
            }
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private byte[] headerBytes() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            HostTensor tensor = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", tensor.dtype().safetensorsName());
            ArrayNode shape = node.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            node.putArray("data_offsets").add(offset).add(offset + tensor.data().length);
            offset += tensor.data().length;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        java.util.Arrays.fill(header, (byte) ' ');
        System.arraycopy(json, 0, header, 0, json.length);
        return header;
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
