package io.ptuning.weights.tfcheckpoint;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.ptuning.weights.MalformedWeightsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one tensor of a bundle lives: TF's {@code BundleEntryProto}
 * (tensorflow/core/protobuf/tensor_bundle.proto), decoded field by field.
 *
 * @param dtype TF {@code DataType} enum value ({@link #DT_FLOAT} is the only one the importers accept)
 * @param crc32c the masked crc32c of the tensor bytes, or {@code null} when the writer stored none
 */
record BundleEntry(int dtype, long[] shape, int shardId, long offset, long size, Integer crc32c, int slices) {

    static final int DT_FLOAT = 1;

    static BundleEntry parse(byte[] proto, String source, String tensor) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(proto);
            int dtype = 0;
            long[] shape = new long[0];
            int shardId = 0;
            long offset = 0;
            long size = 0;
            Integer crc = null;
            int slices = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> dtype = in.readEnum();
                    case 2 -> shape = parseShape(in.readByteArray());
                    case 3 -> shardId = in.readInt32();
                    case 4 -> offset = in.readInt64();
                    case 5 -> size = in.readInt64();
                    case 6 -> crc = in.readFixed32();
                    case 7 -> {
                        in.skipField(tag);
                        slices++;
                    }
                    default -> in.skipField(tag);
                }
            }
            return new BundleEntry(dtype, shape, shardId, offset, size, crc, slices);
        } catch (IOException e) {
            throw new MalformedWeightsException(source, tensor, "BundleEntryProto does not parse: " + e.getMessage());
        }
    }

    /** {@code TensorShapeProto}: repeated {@code Dim dim = 2}, each with {@code int64 size = 1}. */
    private static long[] parseShape(byte[] proto) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(proto);
        List<Long> dims = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 2) {
                CodedInputStream dim = CodedInputStream.newInstance(in.readByteArray());
                long size = 0;
                for (int dimTag = dim.readTag(); dimTag != 0; dimTag = dim.readTag()) {
                    if (WireFormat.getTagFieldNumber(dimTag) == 1) {
                        size = dim.readInt64();
                    } else {
                        dim.skipField(dimTag);
                    }
                }
                dims.add(size);
            } else {
                in.skipField(tag);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
