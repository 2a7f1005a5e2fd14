package io.ptuning.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.Device;
import io.ptuning.bert.HostMemory;
import io.ptuning.bert.LibtorchMatmul;
import io.ptuning.bert.MatmulPrecision;

/**
 * The encoder's matrix products at every libtorch setting ({@link LibtorchMatmul}): milliseconds, GFLOP/s and the
 * relative error against float64, for the linear layers of MiniLM (384 wide) and bert-base (768) on 448 tokens (a
 * batch of 32 SST-2 sentences of 14 tokens), and a large square product. First it says which setting each
 * {@link MatmulPrecision} takes on this machine.
 */
final class MatmulBenchmark {

    private static final int[][] SHAPES = {
        {448, 384, 384}, {448, 384, 1536}, {448, 1536, 384},
        {448, 768, 768}, {448, 768, 3072}, {448, 3072, 768},
        {2048, 2048, 2048},
    };

    void run() {
        HostMemory.keepFreedMemory(); // as an encoder does: results reuse memory instead of faulting in fresh pages
        for (MatmulPrecision precision : MatmulPrecision.values()) {
            System.out.println("here " + MatmulPrecision.use(precision, Device.cpu()).describe());
        }
        System.out.printf("%-16s %-9s %10s %10s %12s%n", "m x k x n", "libtorch", "ms", "GFLOP/s", "rel. error");
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int[] s : SHAPES) {
                NDArray a = manager.randomNormal(new Shape(s[0], s[1]));
                NDArray b = manager.randomNormal(new Shape(s[1], s[2]));
                for (LibtorchMatmul setting : LibtorchMatmul.values()) {
                    setting.apply();
                    double seconds = secondsPerProduct(a, b);
                    double error = MatmulPrecision.relativeError(a, b);
                    System.out.printf("%-16s %-9s %10.3f %10.1f %12.1e%n", s[0] + "x" + s[1] + "x" + s[2],
                            setting.id(), seconds * 1e3, 2.0 * s[0] * s[1] * s[2] / seconds / 1e9, error);
                }
            }
        } finally {
            MatmulPrecision.use(MatmulPrecision.configuredValue(), Device.cpu());
        }
    }

    private static double secondsPerProduct(NDArray a, NDArray b) {
        for (int i = 0; i < 5; i++) {
            a.matMul(b).close();
        }
        int repeats = 30;
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            a.matMul(b).close();
        }
        return (System.nanoTime() - start) / 1e9 / repeats;
    }
}
