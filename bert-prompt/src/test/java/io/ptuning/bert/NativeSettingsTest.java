package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The process-wide libtorch settings an encoder applies: matmul precision and malloc's reuse of freed memory. */
class NativeSettingsTest {

    @Test
    void anEncoderLeavesLibtorchAtTheConfiguredPrecision() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyBert.create(manager, 1);
            MatmulPrecision.Setting setting = MatmulPrecision.inForce();
            assertThat(setting.precision()).isEqualTo(MatmulPrecision.configuredValue());
            assertThat(LibtorchMatmul.current()).isEqualTo(setting.libtorch());
        }
    }

    @Test
    void glibcKeepsFreedMemoryUnlessTheEnvironmentTunesMalloc() {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        assumeThat(System.getenv("GLIBC_TUNABLES")).isNull();
        assumeThat(System.getenv("MALLOC_TRIM_THRESHOLD_")).isNull();
        assertThat(HostMemory.keepFreedMemory()).isTrue();
    }
}
