package io.ptuning.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in plain Java memory: little-endian bytes, a shape and an element type.
 * What importers produce, what safetensors files and Kafka records carry; no engine needed.
 */
public record HostTensor(DType dtype, long[] shape, byte[] data) {

    public HostTensor {
        shape = shape.clone();
        long expected = elementCount(shape) * dtype.bytes();
        if (data.length != expected) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + expected + " bytes, got " + data.length);
        }
    }

    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, buffer.array());
    }

    public static HostTensor ofLongs(long[] shape, long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return new HostTensor(DType.I64, shape, buffer.array());
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public float[] floats() {
        requireType(DType.F32);
        float[] values = new float[(int) elementCount()];
        buffer().asFloatBuffer().get(values);
        return values;
    }

    public long[] longs() {
        requireType(DType.I64);
        long[] values = new long[(int) elementCount()];
        buffer().asLongBuffer().get(values);
        return values;
    }

    /** A 2-D float tensor transposed: TF and ONNX store dense kernels [in, out], Hugging Face [out, in]. */
    public HostTensor transpose2d() {
        requireType(DType.F32);
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose2d needs a 2-D tensor, got shape " + Arrays.toString(shape));
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] in = floats();
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return ofFloats(new long[] {cols, rows}, out);
    }

    private void requireType(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HostTensor that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
