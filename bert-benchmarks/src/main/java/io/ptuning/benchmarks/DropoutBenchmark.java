package io.ptuning.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.HostMemory;
import java.util.function.Function;

/**
 * Forward cost of one dropout, per value, three ways: libtorch's {@code dropout} (a Bernoulli mask drawn value by
 * value), a bulk uniform draw compared with p ({@code torch.rand(...) >= p}), and {@link DropoutMasks} (counter-based
 * masks filled in Java on every core). Shapes are those of a bert-base P-Tuning v2 step: batch 32, 24 tokens, a
 * prefix of 20.
 */
final class DropoutBenchmark {

    private static final double P = 0.1;
    private static final Object[][] SHAPES = {
        {"prefix keys and values [2L, B, heads, psl, 64]", new Shape(24, 32, 12, 20, 64)},
        {"attention probabilities [B, heads, T, psl + T]", new Shape(32, 12, 24, 44)},
        {"hidden states [B, T, 768]", new Shape(32, 24, 768)},
    };

    void run() {
        HostMemory.keepFreedMemory();
        System.out.printf("%-50s %10s %14s %14s %14s%n", "tensor", "values", "libtorch ns/v", "rand>=p ns/v",
                "counter ns/v");
        try (NDManager manager = NDManager.newBaseManager()) {
            // The table twice, printed the second time: the first pass pays the JIT's compilation and libtorch's
            // first allocations, which made whichever row came first look two to five times dearer.
            for (boolean print : new boolean[] {false, true}) {
                for (Object[] row : SHAPES) {
                    Shape shape = (Shape) row[1];
                    NDArray x = manager.randomNormal(shape);
                    double libtorch = nanosPerValue(x, v -> Dropout.dropout(v, (float) P, true).head());
                    double uniform = nanosPerValue(x, v -> v.mul(v.getManager().randomUniform(0f, 1f, v.getShape())
                            .gte(P).toType(DataType.FLOAT32, false).mul((float) (1 / (1 - P)))));
                    long[] step = {0};
                    double counter = nanosPerValue(x, v -> DropoutMasks.forStep(42, step[0]++).apply(v, P));
                    if (print) {
                        System.out.printf("%-50s %10d %14.2f %14.2f %14.2f%n", row[0], shape.size(), libtorch,
                                uniform, counter);
                    }
                    x.close();
                }
            }
        }
    }

    private static double nanosPerValue(NDArray x, Function<NDArray, NDArray> dropout) {
        for (int i = 0; i < 3; i++) {
            dropout.apply(x).close();
        }
        int repeats = 10;
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            try (NDManager scope = x.getManager().newSubManager()) {
                NDArray input = x.duplicate();
                input.attach(scope);
                dropout.apply(input).attach(scope);
            }
        }
        return (System.nanoTime() - start) / (double) repeats / x.size();
    }
}
