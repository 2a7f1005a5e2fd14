package io.ptuning.bert;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch's float32 matrix-product precision: PyTorch's {@code torch.set_float32_matmul_precision}, which DJL
 * does not expose. The constants are {@code at::Float32MatmulPrecision} in order.
 *
 * <p>Why it matters here: at {@link #HIGHEST} (libtorch's default) the CPU multiplies float32 matrices with MKL,
 * which on AMD processors runs far below what the cores can do; at {@link #MEDIUM} libtorch hands them to oneDNN.
 * On the AMD EPYC (Zen 5) this project is measured on, oneDNN's float32 kernels are 2.2-2.7x faster and keep
 * float32 accuracy (a 448x384 by 384x1536 product: relative error 7e-7 against 4e-7 for MKL), and a MiniLM
 * training step is 1.7x faster. On CPUs with AMX (Intel Sapphire Rapids and later) oneDNN may instead compute
 * them in bfloat16, and on CUDA {@code MEDIUM} and {@code HIGH} allow TF32: faster, with fewer mantissa bits.
 * Replays stay bit-identical on the same kind of machine either way.
 *
 * <p>The setting is process-wide; {@link #useConfigured()} applies {@value #PROPERTY} (system property) or
 * {@value #ENV} (environment), default {@code medium}, once per process.
 */
public enum MatmulPrecision {
    /** Full float32 everywhere (libtorch's default; MKL on the CPU). */
    HIGHEST,
    /** TF32 allowed on CUDA; on the CPU as {@link #HIGHEST}. */
    HIGH,
    /** oneDNN on the CPU (bfloat16 inside where the CPU has AMX), TF32 on CUDA. */
    MEDIUM;

    public static final String PROPERTY = "ptuning.matmul.precision";
    public static final String ENV = "PTUNING_MATMUL_PRECISION";
    public static final MatmulPrecision DEFAULT = MEDIUM;

    private static final Logger LOG = LoggerFactory.getLogger(MatmulPrecision.class);
    // at::Context's C++ members, by their Itanium ABI names (Linux and macOS builds of libtorch).
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SETTER = "_ZN2at7Context25setFloat32MatmulPrecisionENS_22Float32MatmulPrecisionE";
    private static final String GETTER = "_ZNK2at7Context22float32MatmulPrecisionEv";

    private static boolean configured;
    private static Libtorch opened;

    /** The lower-case name used in configuration: {@code highest}, {@code high}, {@code medium}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MatmulPrecision fromId(String id, String source) {
        for (MatmulPrecision precision : values()) {
            if (precision.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return precision;
            }
        }
        throw new IllegalArgumentException(source + " is '" + id + "', expected one of highest, high, medium");
    }

    /** The precision asked for by {@value #PROPERTY} or {@value #ENV}, else {@link #DEFAULT}. */
    public static MatmulPrecision configuredValue() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return fromId(property, "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return fromId(env, "environment variable " + ENV);
        }
        return DEFAULT;
    }

    /**
     * Applies {@link #configuredValue()} the first time it is called in this process; later calls do nothing.
     * Where libtorch's symbols cannot be reached (a Windows build, another libtorch), logs a warning and leaves
     * libtorch's default.
     */
    public static synchronized void useConfigured() {
        if (configured) {
            return;
        }
        configured = true;
        MatmulPrecision wanted = configuredValue();
        try {
            apply(wanted);
            LOG.info("libtorch float32 matmul precision: {}", wanted.id());
        } catch (UnsatisfiedLinkError | UnsupportedOperationException e) {
            LOG.warn("cannot set libtorch's float32 matmul precision to {} ({}); products run at libtorch's default",
                    wanted.id(), e.getMessage());
        }
    }

    /** Sets the precision for every later matrix product in this process and checks that libtorch took it. */
    public static synchronized void apply(MatmulPrecision precision) {
        Libtorch libtorch = libtorch();
        libtorch.function(SETTER).invokeVoid(new Object[] {libtorch.context(), precision.ordinal()});
        MatmulPrecision now = current();
        if (now != precision) {
            throw new IllegalStateException("libtorch reports matmul precision " + now.id() + " after setting " + precision.id());
        }
    }

    /** The precision libtorch applies now. */
    public static synchronized MatmulPrecision current() {
        Libtorch libtorch = libtorch();
        return values()[libtorch.function(GETTER).invokeInt(new Object[] {libtorch.context()})];
    }

    private static Libtorch libtorch() {
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
