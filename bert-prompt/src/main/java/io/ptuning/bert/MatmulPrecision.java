package io.ptuning.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this process multiplies float32 matrices: exact float32 (the default), or bfloat16 where the hardware offers it,
 * by explicit choice. It is process-wide, part of what makes a replay bit-identical, and recorded in every
 * checkpoint.
 *
 * <p>libtorch's only switch, {@link LibtorchMatmul}, does not say what a product will cost in accuracy: its fast
 * CPU path ({@code medium}, oneDNN) keeps float32 on CPUs without AMX but rounds inputs to bfloat16 on CPUs with
 * AMX, and on CUDA it allows TF32. So {@link #FLOAT32} measures instead of guessing: on every device the process
 * computes on, it multiplies a fixed pair of matrices at {@code medium} and compares with float64
 * ({@link #probe}); if every product is float32-exact it keeps {@code medium}, else it falls back to
 * {@code highest} (MKL on the CPU, cuBLAS without TF32), which is exact everywhere.
 *
 * <p>Configured by {@value #PROPERTY} (system property) or {@value #ENV} (environment): {@code float32} (default)
 * or {@code bfloat16}. Services and benchmarks log {@link Setting#describe()} at start-up.
 */
public enum MatmulPrecision {
    /** Products exact to float32 (relative error at most {@link #FLOAT32_BOUND}), with the fastest kernel that is. */
    FLOAT32,
    /**
     * libtorch {@code medium} whatever it computes: inputs rounded to bfloat16 inside oneDNN on CPUs with AMX, TF32
     * on CUDA, float32 elsewhere (then it is {@link #FLOAT32} bit for bit).
     */
    BFLOAT16;

    public static final String PROPERTY = "ptuning.matmul.precision";
    public static final String ENV = "PTUNING_MATMUL_PRECISION";
    public static final MatmulPrecision DEFAULT = FLOAT32;
    /**
     * Largest relative error (max |error| / max |exact|) of a float32 product of the probe's size: measured 3e-7 to
     * 1.1e-6 for float32 kernels, 2e-3 for bfloat16 inputs (BENCHMARKS.md, "matmul").
     */
    public static final double FLOAT32_BOUND = 1e-5;

    private static final Logger LOG = LoggerFactory.getLogger(MatmulPrecision.class);

    /** What is in force in this process, once something has settled it. */
    private static MatmulPrecision wanted;
    private static LibtorchMatmul chosen;
    private static final Map<Device, Double> probed = new LinkedHashMap<>();

    /**
     * The precision in force and how it is met.
     *
     * @param libtorch the libtorch setting chosen for it
     * @param probeErrors relative error of the probe product at that setting, per device computed on
     */
    public record Setting(MatmulPrecision precision, LibtorchMatmul libtorch, Map<Device, Double> probeErrors) {

        public Setting {
            probeErrors = Map.copyOf(probeErrors);
        }

        /** One line for logs and benchmark headers. */
        public String describe() {
            String errors = probeErrors.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%.1e on %s", e.getValue(), e.getKey()))
                    .sorted()
                    .collect(Collectors.joining(", "));
            return precision.id() + " (libtorch matmul precision " + libtorch.id() + ", probe product's relative error "
                    + errors + ")";
        }
    }

    /** Measures a device: the probe product's relative error against float64 at libtorch's current setting. */
    @FunctionalInterface
    interface Probe {
        double relativeError(Device device);
    }

    /** The name used in configuration and checkpoints: {@code float32}, {@code bfloat16}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MatmulPrecision fromId(String id, String source) {
        for (MatmulPrecision precision : values()) {
            if (precision.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return precision;
            }
        }
        throw new IllegalArgumentException(source + " is '" + id + "', expected float32 (exact, the default) or"
                + " bfloat16 (products may round their inputs to bfloat16 or TF32)");
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
     * Makes the configured precision hold for products on {@code device}: the first call in a process applies
     * {@link #configuredValue()}, and each device is probed once. Every encoder calls it; services call it at
     * start-up to log what is in force.
     */
    public static synchronized Setting settle(Device device) {
        if (wanted == null) {
            return use(configuredValue(), device);
        }
        if (!probed.containsKey(device)) {
            add(device, MatmulPrecision::probe);
            LOG.debug("float32 matrix products: {}", inForce().describe());
        }
        return inForce();
    }

    /**
     * Puts {@code precision} in force for the whole process, probing {@code device} (benchmarks and tests that compare
     * precisions; services take the configured one through {@link #settle}).
     */
    public static Setting use(MatmulPrecision precision, Device device) {
        return use(precision, device, MatmulPrecision::probe);
    }

    static synchronized Setting use(MatmulPrecision precision, Device device, Probe probe) {
        wanted = precision;
        probed.clear();
        chosen = LibtorchMatmul.MEDIUM; // the fast path; FLOAT32 leaves it where a probe is not exact
        try {
            chosen.apply();
            add(device, probe);
        } catch (UnsupportedOperationException | UnsatisfiedLinkError e) {
            chosen = LibtorchMatmul.HIGHEST; // libtorch's default, exact
            probed.put(device, probe.relativeError(device));
            LOG.warn("cannot reach libtorch's float32 matmul precision ({}): products run at libtorch's default, {}",
                    e.getMessage(), chosen.id());
        }
        LOG.debug("float32 matrix products: {}", inForce().describe());
        return inForce();
    }

    /** What is in force now; settles the configured precision on the CPU if nothing has yet. */
    public static synchronized Setting inForce() {
        if (wanted == null) {
            return settle(Device.cpu());
        }
        return new Setting(wanted, chosen, probed);
    }

    private static void add(Device device, Probe probe) {
        double error = probe.relativeError(device);
        if (wanted == FLOAT32 && error > FLOAT32_BOUND && chosen != LibtorchMatmul.HIGHEST) {
            LOG.info("libtorch matmul precision {} is not float32-exact on {} (probe product's relative error {}):"
                    + " products go to {}", chosen.id(), device, String.format(Locale.ROOT, "%.1e", error),
                    LibtorchMatmul.HIGHEST.id());
            chosen = LibtorchMatmul.HIGHEST;
            chosen.apply();
            probed.replaceAll((other, old) -> probe.relativeError(other));
            error = probe.relativeError(device);
        }
        if (wanted == FLOAT32 && error > FLOAT32_BOUND) {
            throw new IllegalStateException(String.format(Locale.ROOT, "float32 products on %s have a relative error"
                    + " of %.1e even at libtorch matmul precision %s (bound %.0e)", device, error, chosen.id(),
                    FLOAT32_BOUND));
        }
        probed.put(device, error);
    }

    /**
     * The largest relative error (max |error| / max |exact|) against float64 of two products at the encoder's sizes
     * on {@code device}: a linear layer's (448 tokens, 384 to 1536) and a batch of attention scores. The operands
     * come from a fixed Java generator, so probing leaves libtorch's random generator, and the training draws,
     * untouched.
     */
    static double probe(Device device) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            SplittableRandom random = new SplittableRandom(2110_07602L);
            double linear = relativeError(operand(manager, random, 448, 384), operand(manager, random, 384, 1536));
            double attention = relativeError(operand(manager, random, 12, 64, 64), operand(manager, random, 12, 64, 128));
            return Math.max(linear, attention);
        }
    }

    /** The relative error (max |error| / max |exact|) of {@code a x b} at the current setting against float64. */
    public static double relativeError(NDArray a, NDArray b) {
        NDArray exact = a.toType(DataType.FLOAT64, false).matMul(b.toType(DataType.FLOAT64, false));
        NDArray product = a.matMul(b).toType(DataType.FLOAT64, false);
        return product.sub(exact).abs().max().getDouble() / exact.abs().max().getDouble();
    }

    private static NDArray operand(NDManager manager, SplittableRandom random, long... shape) {
        float[] values = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return manager.create(values, new Shape(shape));
    }
}
