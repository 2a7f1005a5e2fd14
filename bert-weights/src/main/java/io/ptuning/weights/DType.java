package io.ptuning.weights;

/** Element types that cross file and topic boundaries, with their safetensors names. */
public enum DType {
    F32("F32", 4),
    I64("I64", 8),
    I32("I32", 4);

    private final String safetensorsName;
    private final int bytes;

    DType(String safetensorsName, int bytes) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public int bytes() {
        return bytes;
    }

    public static DType fromSafetensors(String name) {
        for (DType type : values()) {
            if (type.safetensorsName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "' (supported: F32, I64, I32)");
    }
}
