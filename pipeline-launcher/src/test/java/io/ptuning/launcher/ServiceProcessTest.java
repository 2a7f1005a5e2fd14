package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment the launcher gives each service's libtorch. */
class ServiceProcessTest {

    @Test
    void servicesWaitPassivelyAndPreloadTheFirstTcmallocTheMachineHas(@TempDir Path folder) throws Exception {
        Path absent = folder.resolve("lib64/libtcmalloc_minimal.so.4");
        Path present = Files.createFile(folder.resolve("libtcmalloc_minimal.so.4"));
        Map<String, String> environment = new HashMap<>();
        ServiceProcess.tuneNativeRuntime(environment, List.of(absent, present));
        assertThat(environment).containsExactlyInAnyOrderEntriesOf(
                Map.of("OMP_WAIT_POLICY", "PASSIVE", "LD_PRELOAD", present.toString()));
    }

    @Test
    void whatTheUserSetWinsAndNoTcmallocMeansNoPreload(@TempDir Path folder) throws Exception {
        Map<String, String> userSet = new HashMap<>(Map.of("OMP_WAIT_POLICY", "ACTIVE", "LD_PRELOAD", "libjemalloc.so.2"));
        ServiceProcess.tuneNativeRuntime(userSet, List.of(Files.createFile(folder.resolve("libtcmalloc_minimal.so.4"))));
        assertThat(userSet).containsExactlyInAnyOrderEntriesOf(
                Map.of("OMP_WAIT_POLICY", "ACTIVE", "LD_PRELOAD", "libjemalloc.so.2"));

        Map<String, String> bare = new HashMap<>();
        ServiceProcess.tuneNativeRuntime(bare, List.of(folder.resolve("lib64/libtcmalloc_minimal.so.4"), folder));
        assertThat(bare).containsExactlyEntriesOf(Map.of("OMP_WAIT_POLICY", "PASSIVE"));
    }
}
