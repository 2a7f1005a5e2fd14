package io.ptuning.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
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
 * thread, layer by layer). Every tensor a dropout sees has the batch's rows as its first dimension, so a part of the
 * batch ({@link #forRows}) can draw its own rows' values on a thread of its own, the values the whole batch would
 * have got.
 */
public final class DropoutMasks {

    /** No dropout: inference, or a dropout the recipe turns off. */
    public static final DropoutMasks OFF = new DropoutMasks(0L, false, 0, 0);

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** Below this many values one thread fills the mask; the fork costs more than it saves. */
    private static final int PARALLEL_FROM = 1 << 18;
    /** Values computed into a Java array before they are copied into the tensor: 8 KB, at home in the L1 cache. */
    private static final int CHUNK = 2048;
    /** A host buffer per thread for masks bound for another device, reused and grown to the largest one. */
    private static final ThreadLocal<ByteBuffer> HOST = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    private final long stepKey;
    private final boolean on;
    /** The first batch row of the tensors this draws for. */
    private final long rowFrom;
    /** Rows of the whole batch, or 0 when the tensors hold the whole batch. */
    private final long batchRows;
    private long draws;

    private DropoutMasks(long stepKey, boolean on, long rowFrom, long batchRows) {
        this.stepKey = stepKey;
        this.on = on;
        this.rowFrom = rowFrom;
        this.batchRows = batchRows;
    }

    /** The masks of training step {@code step} of a run seeded with {@code seed}. */
    public static DropoutMasks forStep(long seed, long step) {
        return new DropoutMasks(mix64(mix64(seed) ^ mix64(step + GOLDEN_GAMMA)), true, 0, 0);
    }

    /**
     * The same step's masks for a part of the batch, rows {@code [from, from + r)} of {@code batchRows}, where each
     * tensor it is given has the part's r rows first: the values the whole batch's masks have there. Each part counts
     * its own draws, so parts may draw concurrently, each in its forward pass's order. Call it before any draw.
     */
    public DropoutMasks forRows(long from, long batchRows) {
        if (draws != 0) {
            throw new IllegalStateException("a part's masks must be taken before the step draws any");
        }
        if (from < 0 || from >= batchRows) {
            throw new IllegalArgumentException("row " + from + " is not in a batch of " + batchRows);
        }
        return new DropoutMasks(stepKey, on, from, batchRows);
    }

    public boolean isOn() {
        return on;
    }

    /** {@code x} with each value zeroed with probability {@code p} and the rest scaled by {@code 1 / (1 - p)}. */
    public NDArray apply(NDArray x, double p) {
        return apply(List.of(x), p).get(0);
    }

    /**
     * Dropout on several tensors with one draw: their masks are consecutive stretches of the one mask their flat
     * concatenation would get. The prefix's keys and values take one draw for every layer this way without being
     * put in one tensor.
     */
    public List<NDArray> apply(List<NDArray> xs, double p) {
        if (!on || p == 0) {
            return xs;
        }
        checkProbability(p);
        long drawKey = nextDrawKey();
        List<NDArray> dropped = new ArrayList<>(xs.size());
        // A part runs beside the other parts, on its share of the cores: it fills its masks on its own thread.
        boolean wholeBatch = batchRows == 0;
        long offset = 0; // where the next tensor's whole batch starts in the draw
        for (NDArray x : xs) {
            Shape shape = x.getShape();
            long n = shape.size();
            long rows = shape.dimension() == 0 ? 1 : shape.get(0);
            long perRow = rows == 0 ? 0 : n / rows;
            dropped.add(x.mul(mask(x.getManager(), drawKey, offset + rowFrom * perRow, n, p, wholeBatch).reshape(shape)));
            offset += perRow * (wholeBatch ? rows : batchRows);
        }
        return dropped;
    }

    /** The next mask of this step: {@code n} floats, each 0 or {@code 1 / (1 - p)}, as a tensor on the manager's device. */
    NDArray mask(NDManager manager, long n, double p) {
        checkProbability(p);
        return mask(manager, nextDrawKey(), 0, n, p, true);
    }

    private long nextDrawKey() {
        return mix64(stepKey + (draws++) * GOLDEN_GAMMA);
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
    }

    /**
     * Values {@code [offset, offset + n)} of a draw as a tensor. On the CPU they are written straight into the
     * tensor's memory, with no second copy; another device gets them through a host buffer.
     */
    private static NDArray mask(NDManager manager, long drawKey, long offset, long n, double p, boolean fork) {
        if (n > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("a dropout mask of " + n + " values is larger than one buffer");
        }
        Shape shape = new Shape(n);
        if (manager.getDevice().equals(Device.cpu())) {
            NDArray mask = manager.create(shape, DataType.FLOAT32);
            fill(mask.toByteBuffer(true).order(ByteOrder.nativeOrder()), drawKey, offset, n, p, fork);
            return mask;
        }
        ByteBuffer host = hostBuffer((int) n * Float.BYTES);
        fill(host, drawKey, offset, n, p, fork);
        return manager.create(host, shape, DataType.FLOAT32);
    }

    /** Writes the {@code n} values; with {@code fork}, on every core when there are enough of them. */
    private static void fill(ByteBuffer values, long drawKey, long offset, long n, double p, boolean fork) {
        int threshold = (int) Math.round(p * 65536);
        float scale = (float) (1.0 / (1.0 - p));
        if (!fork || n < PARALLEL_FROM) {
            fill(values, drawKey, offset, 0, n, threshold, scale);
        } else {
            int parts = Runtime.getRuntime().availableProcessors();
            IntStream.range(0, parts).parallel().forEach(part ->
                    fill(values, drawKey, offset, n * part / parts, n * (part + 1) / parts, threshold, scale));
        }
    }

    /**
     * Writes values {@code [from, to)} of a mask whose value 0 is value {@code offset} of the draw, a chunk at a time:
     * the chunk is computed into a Java array and copied into the tensor in bulk, which is a third cheaper than writing
     * each value through the buffer (BENCHMARKS.md, "Dropout masks").
     */
    private static void fill(ByteBuffer bytes, long drawKey, long offset, long from, long to, int threshold,
            float scale) {
        IntBuffer values = bytes.asIntBuffer(); // the floats' bits
        int keptBits = Float.floatToRawIntBits(scale);
        int[] chunk = new int[(int) Math.min(CHUNK, to - from)];
        for (long start = from; start < to; start += CHUNK) {
            int length = (int) Math.min(CHUNK, to - start);
            computeValues(chunk, length, drawKey, offset + start, threshold, keptBits);
            values.put((int) start, chunk, 0, length);
        }
    }

    /**
     * The draw's values {@code [first, first + length)} as float bits: four 16-bit uniforms from each SplitMix64
     * output, the draw's value {@code i} from output {@code i / 4}. Whole outputs are unrolled, and a value is
     * selected without a branch: a drop is a 1-in-10 surprise to a branch predictor.
     */
    private static void computeValues(int[] values, int length, long drawKey, long first, int threshold, int keptBits) {
        int i = 0;
        for (; i < length && ((first + i) & 3) != 0; i++) { // up to the first value of an output
            values[i] = valueAt(drawKey, first + i, threshold, keptBits);
        }
        long output = ((first + i) >>> 2) + 1;
        for (; i + 4 <= length; i += 4, output++) {
            long bits = mix64(drawKey + output * GOLDEN_GAMMA);
            values[i] = masked(bits, threshold, keptBits);
            values[i + 1] = masked(bits >>> 16, threshold, keptBits);
            values[i + 2] = masked(bits >>> 32, threshold, keptBits);
            values[i + 3] = masked(bits >>> 48, threshold, keptBits);
        }
        for (; i < length; i++) { // the last output's first values
            values[i] = valueAt(drawKey, first + i, threshold, keptBits);
        }
    }

    /** The draw's value {@code value} on its own: uniform {@code value % 4} of output {@code value / 4}. */
    private static int valueAt(long drawKey, long value, int threshold, int keptBits) {
        return masked(mix64(drawKey + ((value >>> 2) + 1) * GOLDEN_GAMMA) >>> (16 * (value & 3)), threshold, keptBits);
    }

    /** The mask value of the uniform in the low 16 bits, as float bits: {@code keptBits} if it is at least the threshold, else 0. */
    private static int masked(long bits, int threshold, int keptBits) {
        int uniform = (int) bits & 0xFFFF;
        return keptBits & ((threshold - 1 - uniform) >> 31); // all ones when uniform >= threshold
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
