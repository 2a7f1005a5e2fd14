package io.ptuning.trainer.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where a run trains. {@code gpu} takes every GPU DJL's PyTorch engine sees: one GPU trains alone, several train data
 * parallel (each batch split between them, gradients summed; {@code PromptTrainer}). {@code auto} is {@code gpu} when
 * there is a GPU, else {@code cpu}. Which libtorch DJL loads decides whether it sees any: the CPU build from Maven
 * ({@code pytorch-native-cpu}), or a CUDA build from {@code PYTORCH_LIBRARY_PATH} (or downloaded by DJL when online);
 * which GPUs a pod sees is Kubernetes' choice ({@code nvidia.com/gpu} limit, {@code CUDA_VISIBLE_DEVICES}). See
 * README "GPU".
 */
public final class DeviceChoice {

    private DeviceChoice() {}

    /**
     * @param requested the run's device; {@code auto} there defers to {@code serviceDefault}
     * @return the devices to train on, the first holding the model (checkpoints are read from it)
     */
    public static List<Device> resolve(String requested, String serviceDefault) {
        return resolve(requested, serviceDefault, 1);
    }

    /**
     * @param cpuReplicas how many parts a batch is split into on the CPU, each on its own thread with its share of the
     *     cores (the CPU once per part): libtorch's threads wait less than when one pass spans every core
     */
    public static List<Device> resolve(String requested, String serviceDefault, int cpuReplicas) {
        return resolve(requested, serviceDefault, Engine.getInstance().getGpuCount(), cpuReplicas);
    }

    static List<Device> resolve(String requested, String serviceDefault, int gpus, int cpuReplicas) {
        if (cpuReplicas < 1) {
            throw new IllegalArgumentException("cpu replicas must be at least 1, got " + cpuReplicas);
        }
        String choice = "auto".equals(requested) ? serviceDefault : requested;
        List<Device> cpu = Collections.nCopies(cpuReplicas, Device.cpu());
        return switch (choice) {
            case "cpu" -> cpu;
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException("device gpu was requested but DJL's PyTorch engine sees no GPU"
                            + " (libtorch " + Engine.getInstance().getVersion() + "): point PYTORCH_LIBRARY_PATH at a"
                            + " CUDA libtorch, or request device auto/cpu");
                }
                yield allGpus(gpus);
            }
            case "auto" -> gpus > 0 ? allGpus(gpus) : cpu;
            default -> throw new IllegalArgumentException("device '" + choice + "' is not one of auto, cpu, gpu");
        };
    }

    private static List<Device> allGpus(int count) {
        return IntStream.range(0, count).mapToObj(Device::gpu).toList();
    }
}
