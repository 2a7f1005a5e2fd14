package io.ptuning.bert;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * libtorch's own float32 matrix-product switch: PyTorch's {@code torch.set_float32_matmul_precision}, which DJL does
 * not expose, set through JNA. The constants are {@code at::Float32MatmulPrecision} in order.
 *
 * <p>The names promise less than they seem to. On the CPU, {@link #HIGHEST} and {@link #HIGH} multiply with MKL, and
 * {@link #MEDIUM} hands products to oneDNN with permission to round the inputs to bfloat16, which oneDNN uses only
 * where the CPU has AMX; elsewhere it computes float32 with kernels faster than MKL's on AMD processors. On CUDA,
 * {@code MEDIUM} and {@code HIGH} allow TF32. What a setting really computes is therefore measured
 * ({@link MatmulPrecision}); code outside this package chooses a {@link MatmulPrecision}, not one of these.
 */
public enum LibtorchMatmul {
    HIGHEST,
    HIGH,
    MEDIUM;

    // at::Context's C++ members, by their Itanium ABI names (Linux and macOS builds of libtorch).
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SETTER = "_ZN2at7Context25setFloat32MatmulPrecisionENS_22Float32MatmulPrecisionE";
    private static final String GETTER = "_ZNK2at7Context22float32MatmulPrecisionEv";

    private static Libtorch opened;

    /** PyTorch's name for the setting: {@code highest}, {@code high}, {@code medium}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sets this precision for every later matrix product in the process and checks that libtorch took it.
     *
     * @throws UnsupportedOperationException where libtorch's C++ symbols cannot be reached (Windows builds)
     * @throws UnsatisfiedLinkError where this libtorch lacks the symbols
     */
    public synchronized void apply() {
        Libtorch libtorch = libtorch();
        libtorch.function(SETTER).invokeVoid(new Object[] {libtorch.context(), ordinal()});
        LibtorchMatmul now = current();
        if (now != this) {
            throw new IllegalStateException("libtorch reports matmul precision " + now.id() + " after setting " + id());
        }
    }

    /** The setting libtorch applies now. */
    public static synchronized LibtorchMatmul current() {
        Libtorch libtorch = libtorch();
        return values()[libtorch.function(GETTER).invokeInt(new Object[] {libtorch.context()})];
    }

    private static synchronized Libtorch libtorch() {
        if (opened == null) {
            opened = Libtorch.open();
        }
        return opened;
    }

    /** The loaded libtorch_cpu library (DJL loads it; opening it again returns the same one) and its global context. */
    private record Libtorch(NativeLibrary library, Pointer context) {

        static Libtorch open() {
            Engine.getEngine("PyTorch"); // loads libtorch if nothing has yet
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw new UnsupportedOperationException("libtorch's C++ symbols are looked up by their Itanium ABI names");
            }
            String file = Path.of(LibUtils.getLibtorchPath(), System.mapLibraryName("torch_cpu")).toString();
            NativeLibrary library = NativeLibrary.getInstance(file);
            return new Libtorch(library, library.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]));
        }

        Function function(String symbol) {
            return library.getFunction(symbol);
        }
    }
}
