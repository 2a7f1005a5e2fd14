package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The process-wide libtorch settings an encoder applies: matmul precision and malloc's reuse of freed memory. */
class NativeSettingsTest {

    @Test
    void anEncoderLeavesLibtorchAtTheConfiguredPrecision() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyBert.create(manager, 1);
            assertThat(MatmulPrecision.current()).isEqualTo(MatmulPrecision.configuredValue());
        }
    }

    @Test
    void everyPrecisionRoundTripsThroughLibtorchAndProductsStayClose() {
        MatmulPrecision configured = MatmulPrecision.current();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(448, 384));
            NDArray b = manager.randomNormal(new Shape(384, 1536));
            NDArray exact = a.toType(DataType.FLOAT64, false).matMul(b.toType(DataType.FLOAT64, false));
            for (MatmulPrecision precision : MatmulPrecision.values()) {
                MatmulPrecision.apply(precision);
                assertThat(MatmulPrecision.current()).isEqualTo(precision);
                double error = a.matMul(b).toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble()
                        / exact.abs().max().getDouble();
                // float32 on MKL or oneDNN is ~1e-6; bfloat16 inside (MEDIUM on AMX CPUs) ~1e-3
                assertThat(error).as("relative error at %s", precision).isLessThan(1e-2);
            }
        } finally {
            MatmulPrecision.apply(configured);
        }
    }

    @Test
    void aMisspelledPrecisionNamesWhereItCameFrom() {
        assertThat(MatmulPrecision.fromId(" Medium ", "test")).isEqualTo(MatmulPrecision.MEDIUM);
        assertThatThrownBy(() -> MatmulPrecision.fromId("fast", "environment variable PTUNING_MATMUL_PRECISION"))
                .hasMessage("environment variable PTUNING_MATMUL_PRECISION is 'fast', expected one of highest, high, medium");
    }

    @Test
    void glibcKeepsFreedMemoryUnlessTheEnvironmentTunesMalloc() {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        assumeThat(System.getenv("GLIBC_TUNABLES")).isNull();
        assumeThat(System.getenv("MALLOC_TRIM_THRESHOLD_")).isNull();
        assertThat(HostMemory.keepFreedMemory()).isTrue();
    }
}
