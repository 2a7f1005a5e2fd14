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
     * A tensor that owns a copy of {@code host}. DJL's PyTorch engine wraps a direct buffer's memory as it is,
     * at whatever alignment the JVM gave it; MKL and oneDNN pick kernels by alignment, so the same values could
     * round differently from one upload to the next. The clone lives in libtorch's own (64-byte aligned)
     * memory, like every tensor the model computes, so a restored run computes what the original did.
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
