package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Float32 products are exact by default on every CPU; bfloat16 is an opt-in. CPUs whose oneDNN rounds to bfloat16
 * at libtorch {@code medium} (AMX) are not at hand everywhere, so one test stands in for their kernel with a real
 * product of bfloat16-rounded operands, which is what oneDNN computes there.
 */
class MatmulPrecisionTest {

    private static final Device CPU = Device.cpu();

    @AfterEach
    void restoreTheConfiguredPrecision() {
        MatmulPrecision.use(MatmulPrecision.configuredValue(), CPU);
    }

    @Test
    void withDefaultSettingsAnEncoderSizedProductIsExactToFloat32() {
        assumeThat(MatmulPrecision.configuredValue()).as("no PTUNING_MATMUL_PRECISION override").isEqualTo(MatmulPrecision.DEFAULT);
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyBert.create(manager, 1); // the first encoder settles the process's precision
            NDArray a = manager.randomNormal(new Shape(448, 768));
            NDArray b = manager.randomNormal(new Shape(768, 3072));
            assertThat(MatmulPrecision.inForce().precision()).isEqualTo(MatmulPrecision.FLOAT32);
            assertThat(MatmulPrecision.relativeError(a, b)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void float32FallsBackToHighestWhereMediumRoundsInputsToBfloat16() {
        MatmulPrecision.Setting setting = MatmulPrecision.use(MatmulPrecision.FLOAT32, CPU, this::amxLikeProbe);
        assertThat(setting.libtorch()).isEqualTo(LibtorchMatmul.HIGHEST);
        assertThat(LibtorchMatmul.current()).isEqualTo(LibtorchMatmul.HIGHEST);
        assertThat(setting.probeErrors().get(CPU)).isLessThanOrEqualTo(MatmulPrecision.FLOAT32_BOUND);
    }

    @Test
    void float32KeepsMediumWhereItIsExact() {
        MatmulPrecision.Setting setting = MatmulPrecision.use(MatmulPrecision.FLOAT32, CPU, device -> 8e-7);
        assertThat(setting.libtorch()).isEqualTo(LibtorchMatmul.MEDIUM);
        assertThat(LibtorchMatmul.current()).isEqualTo(LibtorchMatmul.MEDIUM);
    }

    @Test
    void bfloat16IsAnOptInThatKeepsMediumAndReportsItsError() {
        MatmulPrecision.Setting setting = MatmulPrecision.use(MatmulPrecision.BFLOAT16, CPU, this::amxLikeProbe);
        assertThat(setting.precision()).isEqualTo(MatmulPrecision.BFLOAT16);
        assertThat(LibtorchMatmul.current()).isEqualTo(LibtorchMatmul.MEDIUM);
        assertThat(setting.probeErrors().get(CPU)).isGreaterThan(1e-4);
        assertThat(setting.describe()).startsWith("bfloat16 (libtorch matmul precision medium, probe product's relative error ");
    }

    @Test
    void theBoundSeparatesFloat32KernelsFromBfloat16Inputs() {
        LibtorchMatmul.HIGHEST.apply(); // MKL on the CPU: float32 on every CPU
        assertThat(MatmulPrecision.probe(CPU)).isLessThan(MatmulPrecision.FLOAT32_BOUND / 5);
        assertThat(bfloat16InputsError()).isGreaterThan(MatmulPrecision.FLOAT32_BOUND * 50);
    }

    @Test
    void probingLeavesLibtorchsRandomGeneratorAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getEngine("PyTorch").setRandomSeed(5);
            float[] expected = manager.randomUniform(0, 1, new Shape(8)).toFloatArray();
            Engine.getEngine("PyTorch").setRandomSeed(5);
            MatmulPrecision.probe(CPU);
            assertThat(manager.randomUniform(0, 1, new Shape(8)).toFloatArray()).isEqualTo(expected);
        }
    }

    @Test
    void aMisspelledPrecisionNamesWhereItCameFrom() {
        assertThat(MatmulPrecision.fromId(" BFloat16 ", "test")).isEqualTo(MatmulPrecision.BFLOAT16);
        assertThatThrownBy(() -> MatmulPrecision.fromId("medium", "environment variable PTUNING_MATMUL_PRECISION"))
                .hasMessage("environment variable PTUNING_MATMUL_PRECISION is 'medium', expected float32 (exact, the"
                        + " default) or bfloat16 (products may round their inputs to bfloat16 or TF32)");
    }

    /** A CPU with AMX: at {@code medium} oneDNN multiplies bfloat16-rounded inputs; elsewhere the real probe. */
    private double amxLikeProbe(Device device) {
        return LibtorchMatmul.current() == LibtorchMatmul.MEDIUM ? bfloat16InputsError() : MatmulPrecision.probe(device);
    }

    /**
     * The relative error against float64 of an encoder-sized product whose operands were rounded to bfloat16 (to
     * nearest even, as oneDNN converts) and multiplied in float32.
     */
    private static double bfloat16InputsError() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SplittableRandom random = new SplittableRandom(7);
            float[] a = gaussians(random, 448 * 384);
            float[] b = gaussians(random, 384 * 1536);
            NDArray exact = manager.create(a, new Shape(448, 384)).toType(DataType.FLOAT64, false)
                    .matMul(manager.create(b, new Shape(384, 1536)).toType(DataType.FLOAT64, false));
            NDArray rounded = manager.create(toBfloat16(a), new Shape(448, 384))
                    .matMul(manager.create(toBfloat16(b), new Shape(384, 1536)));
            return rounded.toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble() / exact.abs().max().getDouble();
        }
    }

    private static float[] gaussians(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static float[] toBfloat16(float[] values) {
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            bits += 0x7FFF + ((bits >>> 16) & 1); // round the low 16 bits away, to nearest even
            rounded[i] = Float.intBitsToFloat(bits & 0xFFFF0000);
        }
        return rounded;
    }
}
