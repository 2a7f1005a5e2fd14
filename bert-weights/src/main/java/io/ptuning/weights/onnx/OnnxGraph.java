package io.ptuning.weights.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.ptuning.weights.DType;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model an importer needs: the graph's nodes (to name weights after their consumers)
 * and its initializers (the weights), decoded from {@code ModelProto} with protobuf's wire reader
 * (field numbers from onnx/onnx.proto). Initializers of other types than float, int64 and int32 are skipped.
 */
public record OnnxGraph(List<Node> nodes, Map<String, HostTensor> initializers) {

    /** A {@code NodeProto}: operator, its name, and the values it consumes and produces. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int INT64 = 7;

    public OnnxGraph {
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    }

    /** Parses a whole {@code .onnx} file; {@code source} names it in errors. */
    public static OnnxGraph parse(byte[] model, String source) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            in.setRecursionLimit(16);
            OnnxGraph graph = null;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == 7) { // ModelProto.graph
                    int limit = in.pushLimit(in.readRawVarint32());
                    graph = parseGraph(in, source);
                    in.popLimit(limit);
                } else {
                    in.skipField(tag);
                }
            }
            if (graph == null) {
                throw new MalformedWeightsException(source, "has no graph; not an ONNX model");
            }
            return graph;
        } catch (IOException e) {
            throw new MalformedWeightsException(source, "does not parse as an ONNX ModelProto (truncated?): " + e.getMessage());
        }
    }

    private static OnnxGraph parseGraph(CodedInputStream in, String source) throws IOException {
        List<Node> nodes = new ArrayList<>();
        Map<String, HostTensor> initializers = new LinkedHashMap<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    nodes.add(parseNode(in));
                    in.popLimit(limit);
                }
                case 5 -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    parseTensor(in, source, initializers);
                    in.popLimit(limit);
                }
                default -> in.skipField(tag);
            }
        }
        return new OnnxGraph(nodes, initializers);
    }

    private static Node parseNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 2 -> outputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> opType = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Node(name, opType, inputs, outputs);
    }

    /** A {@code TensorProto}: dims=1, data_type=2, float_data=4, int32_data=5, int64_data=7, name=8, raw_data=9. */
    private static void parseTensor(CodedInputStream in, String source, Map<String, HostTensor> into) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        byte[] raw = null;
        ByteArrayOutputStream typed = new ByteArrayOutputStream();
        boolean external = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (field) {
                case 1 -> readRepeated(in, packed, () -> dims.add(in.readInt64()));
                case 2 -> dataType = in.readInt32();
                case 4 -> readRepeated(in, packed, () -> writeLittleEndian(typed, in.readRawLittleEndian32(), 4));
                case 5 -> readRepeated(in, packed, () -> writeLittleEndian(typed, in.readInt32(), 4));
                case 7 -> readRepeated(in, packed, () -> writeLittleEndian(typed, in.readInt64(), 8));
                case 8 -> name = in.readStringRequireUtf8();
                case 9 -> raw = in.readByteArray();
                case 13 -> {
                    in.skipField(tag);
                    external = true;
                }
                default -> in.skipField(tag);
            }
        }
        DType dtype = switch (dataType) {
            case FLOAT -> DType.F32;
            case INT32 -> DType.I32;
            case INT64 -> DType.I64;
            default -> null;
        };
        if (dtype == null) {
            return;
        }
        if (external) {
            throw new MalformedWeightsException(source, name, "keeps its data in an external file; not supported");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        byte[] data = raw != null ? raw : typed.toByteArray();
        try {
            into.put(name, new HostTensor(dtype, shape, data));
        } catch (IllegalArgumentException e) {
            throw new MalformedWeightsException(source, name, e.getMessage());
        }
    }

    private interface FieldReader {
        void read() throws IOException;
    }

    /** A repeated scalar field, either packed into one length-delimited run or one tag per value. */
    private static void readRepeated(CodedInputStream in, boolean packed, FieldReader reader) throws IOException {
        if (!packed) {
            reader.read();
            return;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
            reader.read();
        }
        in.popLimit(limit);
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value, int bytes) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array(), 0, bytes);
    }
}
