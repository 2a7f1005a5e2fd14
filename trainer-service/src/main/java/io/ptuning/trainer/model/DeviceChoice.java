package io.ptuning.trainer.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where a run trains. {@code auto} takes the GPU when DJL's PyTorch engine sees one. Which libtorch DJL loads decides
 * whether it can: the CPU build from Maven ({@code pytorch-native-cpu}), or a CUDA build from
 * {@code PYTORCH_LIBRARY_PATH} (or downloaded by DJL when online); see README "GPU".
 */
public final class DeviceChoice {

    private DeviceChoice() {}

    /** @param requested the run's device; {@code auto} there defers to {@code serviceDefault} */
    public static Device resolve(String requested, String serviceDefault) {
        String choice = "auto".equals(requested) ? serviceDefault : requested;
        int gpus = Engine.getInstance().getGpuCount();
        return switch (choice) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("device gpu was requested but DJL's PyTorch engine sees no GPU"
                            + " (libtorch " + Engine.getInstance().getVersion() + "): point PYTORCH_LIBRARY_PATH at a"
                            + " CUDA libtorch, or request device auto/cpu");
                }
                yield Device.gpu();
            }
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("device '" + choice + "' is not one of auto, cpu, gpu");
        };
    }
}
