package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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
        assumeThat(HostMemory.preloadedAllocator()).isEmpty();
        assertThat(HostMemory.keepFreedMemory()).isTrue();
        assertThat(HostMemory.describe()).isEqualTo("glibc, freed memory kept for reuse: true");
    }

    @Test
    void aPreloadedTcmallocIsReportedAndGlibcLeftAlone() throws Exception {
        Path tcmalloc = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");
        assumeThat(tcmalloc).as("Debian's libtcmalloc-minimal4 (.ci/run installs it)").exists();
        assertThat(describedByAFreshJvm(Map.of())).isEqualTo("glibc, freed memory kept for reuse: true");
        assertThat(describedByAFreshJvm(Map.of("LD_PRELOAD", tcmalloc.toString()))).isEqualTo("tcmalloc (preloaded)");
    }

    /** {@link HostMemory#describe()} in a JVM started with {@code environment} added to this one's. */
    private static String describedByAFreshJvm(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HostMemoryProbe.class.getName());
        builder.environment().putAll(environment);
        Process probe = builder.start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String errors = new String(probe.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor()).as("probe exit; its errors: %s", errors).isZero();
        return output;
    }
}
