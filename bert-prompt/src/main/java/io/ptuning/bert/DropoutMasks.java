package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Inverted dropout for one training step, with masks from a counter-based generator instead of libtorch's.
 *
 * <p>Why: libtorch's CPU {@code bernoulli_} draws a mask one value at a time from its Mersenne Twister, and a
 * bert-base step with every dropout on needs about 30 million values (BENCHMARKS.md, "Dropout masks"). Here value
 * {@code i} of a step's {@code d}-th mask is a pure function of (seed, step, d, i): SplitMix64 (Steele, Lea and Flood,
 * OOPSLA 2014), whose n-th output is {@code mix64(key + n * gamma)}, so any stretch of a mask can be computed on
 * its own, on as many threads as there are, and the masks are the same on every device and thread count. Each
 * 64-bit output gives four 16-bit uniforms; a value is kept when its uniform is at least {@code round(p * 65536)},
 * so the drop probability is p to within 1/131072, and kept values are scaled by {@code 1 / (1 - p)} as in
 * {@code torch.nn.functional.dropout}.
 *
 * <p>Draws are numbered in call order, so a step's forward pass must make them in a fixed order (it does: one
 * thread, layer by layer; {@code DataParallel} runs its replicas' forwards one after another).
 */
public final class DropoutMasks {

    /** No dropout: inference, or a dropout the recipe turns off. */
    public static final DropoutMasks OFF = new DropoutMasks(0L, false);

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** Below this many values one thread fills the mask; the fork costs more than it saves. */
    private static final int PARALLEL_FROM = 1 << 18;
    /** A host buffer per thread, reused from mask to mask and grown to the largest one. */
    private static final ThreadLocal<ByteBuffer> HOST = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    private final long stepKey;
    private final boolean on;
    private long draws;

    private DropoutMasks(long stepKey, boolean on) {
        this.stepKey = stepKey;
        this.on = on;
    }

    /** The masks of training step {@code step} of a run seeded with {@code seed}. */
    public static DropoutMasks forStep(long seed, long step) {
        return new DropoutMasks(mix64(mix64(seed) ^ mix64(step + GOLDEN_GAMMA)), true);
    }

    public boolean isOn() {
        return on;
    }

    /** {@code x} with each value zeroed with probability {@code p} and the rest scaled by {@code 1 / (1 - p)}. */
    public NDArray apply(NDArray x, double p) {
        if (!on || p == 0) {
            return x;
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        return x.mul(mask(x.getManager(), x.getShape().size(), p).reshape(x.getShape()));
    }

    /** The next mask of this step: {@code n} floats, each 0 or {@code 1 / (1 - p)}, as a tensor on the manager's device. */
    NDArray mask(NDManager manager, long n, double p) {
        if (n > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("a dropout mask of " + n + " values is larger than one host buffer");
        }
        long drawKey = mix64(stepKey + (draws++) * GOLDEN_GAMMA);
        int threshold = (int) Math.round(p * 65536);
        float scale = (float) (1.0 / (1.0 - p));
        ByteBuffer host = hostBuffer((int) n * Float.BYTES);
        long blocks = (n + 3) / 4;
        if (n < PARALLEL_FROM) {
            fill(host, drawKey, 0, blocks, n, threshold, scale);
        } else {
            int parts = Runtime.getRuntime().availableProcessors();
            IntStream.range(0, parts).parallel().forEach(part ->
                    fill(host, drawKey, blocks * part / parts, blocks * (part + 1) / parts, n, threshold, scale));
        }
        // DJL wraps a direct buffer in place; the duplicate owns its memory, so the buffer can be reused.
        try (NDArray wrapper = manager.create(host, new ai.djl.ndarray.types.Shape(n), DataType.FLOAT32)) {
            return wrapper.duplicate();
        }
    }

    /** Values {@code [4 * from, min(4 * to, n))}: four 16-bit uniforms from each SplitMix64 output. */
    private static void fill(ByteBuffer host, long drawKey, long from, long to, long n, int threshold, float scale) {
        for (long block = from; block < to; block++) {
            long bits = mix64(drawKey + (block + 1) * GOLDEN_GAMMA);
            long first = block * 4;
            int count = (int) Math.min(4, n - first);
            for (int k = 0; k < count; k++) {
                int uniform = (int) (bits >>> (16 * k)) & 0xFFFF;
                host.putFloat((int) (first + k) * Float.BYTES, uniform >= threshold ? scale : 0f);
            }
        }
    }

    private static ByteBuffer hostBuffer(int bytes) {
        ByteBuffer host = HOST.get();
        if (host.capacity() < bytes) {
            host = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            HOST.set(host);
        }
        return host.limit(bytes).position(0);
    }

    /** SplitMix64's output function (Stafford's Mix13), as in {@code java.util.SplittableRandom}. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
