package io.ptuning.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which devices a run gets for what it asks, on machines with 0, 1 and 2 GPUs. */
class DeviceChoiceTest {

    @Test
    void autoTakesEveryGpuAndTheCpuOnlyWhenThereIsNone() {
        assertThat(DeviceChoice.resolve("auto", "auto", 0, 1)).containsExactly(Device.cpu());
        assertThat(DeviceChoice.resolve("auto", "auto", 1, 1)).containsExactly(Device.gpu(0));
        assertThat(DeviceChoice.resolve("auto", "auto", 2, 1)).containsExactly(Device.gpu(0), Device.gpu(1));
    }

    @Test
    void aRunsAutoDefersToTheServiceDefault() {
        assertThat(DeviceChoice.resolve("auto", "cpu", 2, 1)).containsExactly(Device.cpu());
        assertThat(DeviceChoice.resolve("cpu", "gpu", 2, 1)).isEqualTo(List.of(Device.cpu()));
        assertThat(DeviceChoice.resolve("gpu", "cpu", 2, 1)).containsExactly(Device.gpu(0), Device.gpu(1));
    }

    @Test
    void cpuReplicasSplitACpuRunButNotAGpuRun() {
        assertThat(DeviceChoice.resolve("cpu", "auto", 2, 2)).containsExactly(Device.cpu(), Device.cpu());
        assertThat(DeviceChoice.resolve("auto", "auto", 0, 2)).containsExactly(Device.cpu(), Device.cpu());
        assertThat(DeviceChoice.resolve("auto", "auto", 1, 2)).containsExactly(Device.gpu(0));
        assertThatThrownBy(() -> DeviceChoice.resolve("cpu", "auto", 0, 0)).hasMessageContaining("at least 1, got 0");
    }

    @Test
    void gpuWithoutAGpuOrAnUnknownDeviceFailsWithAReason() {
        assertThatThrownBy(() -> DeviceChoice.resolve("gpu", "auto", 0, 1))
                .hasMessageContaining("sees no GPU").hasMessageContaining("PYTORCH_LIBRARY_PATH");
        assertThatThrownBy(() -> DeviceChoice.resolve("tpu", "auto", 0, 1)).hasMessageContaining("'tpu'");
    }
}
