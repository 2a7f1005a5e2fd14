package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.ptuning.weights.DType;
import io.ptuning.weights.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Moves tensors between host memory (files, records) and the engine's device. */
public final class DeviceTensors {

    private DeviceTensors() {}

    /**
     * A tensor that owns a copy of {@code host} in libtorch memory. DJL's PyTorch engine wraps a direct buffer's
     * memory in place, and that memory is the JVM's: it is freed when the buffer is collected, even while a view
     * of the tensor or autograd still uses it (see {@link #scalar}). The copy lives as long as libtorch needs it.
     */
    public static NDArray upload(NDManager manager, HostTensor host) {
        // Host bytes are little-endian, as is every platform libtorch runs on.
        ByteBuffer direct = ByteBuffer.allocateDirect(host.data().length).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(host.data()).rewind();
        DataType type = switch (host.dtype()) {
            case F32 -> DataType.FLOAT32;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
        };
        try (NDArray wrapper = manager.create(direct, new Shape(host.shape()), type)) {
            return wrapper.duplicate();
        }
    }

    /**
     * A 0-dimensional float tensor in libtorch memory, for arithmetic inside a training graph. DJL's
     * {@code x.div(2f)} wraps the number in a JVM direct buffer and closes the wrapper right after the op; autograd
     * keeps that tensor for the backward pass (a product or quotient needs its other operand), and once the JVM
     * collects the buffer the backward reads freed memory. That corrupted a gradient at random steps, when the GC
     * ran between the forward and the backward pass. Constants made here own their memory.
     */
    public static NDArray scalar(NDManager manager, float value) {
        return upload(manager, HostTensor.ofFloats(new long[0], new float[] {value}));
    }

    public static HostTensor download(NDArray array) {
        DType type = switch (array.getDataType()) {
            case FLOAT32 -> DType.F32;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            default -> throw new IllegalStateException(array.getName() + " has unsupported type " + array.getDataType());
        };
        byte[] bytes = new byte[(int) array.size() * type.bytes()];
        array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN).get(bytes);
        return new HostTensor(type, array.getShape().getShape(), bytes);
    }
}
