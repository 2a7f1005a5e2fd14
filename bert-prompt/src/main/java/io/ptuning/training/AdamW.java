package io.ptuning.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.weights.HostTensor;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * AdamW (Loshchilov and Hutter 2019) with the exact update order of {@code torch.optim.AdamW}
 * (single-tensor path): decay, moment updates, bias-corrected step with epsilon added after the square root.
 *
 * <p>Written here rather than taken from DJL because a resumable run must save and restore the moments
 * bit for bit, and DJL's {@code Adam} keeps them private; its epsilon placement also differs from PyTorch.
 */
final class AdamW implements AutoCloseable {

    private final TrainingConfig config;
    private final NDManager manager;
    private final SortedMap<String, NDArray> firstMoments = new TreeMap<>();
    private final SortedMap<String, NDArray> secondMoments = new TreeMap<>();
    private long updates;

    AdamW(TrainingConfig config, Map<String, NDArray> parameters, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
        parameters.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape()));
            secondMoments.put(name, manager.zeros(p.getShape()));
        });
    }

    /** Applies one update with learning rate {@code lr}; temporaries go to {@code step}. */
    void update(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double lr, NDManager step) {
        updates++;
        double biasCorrection1 = 1 - Math.pow(config.beta1(), updates);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(config.beta2(), updates));
        parameters.forEach((name, param) -> {
            NDArray grad = gradients.get(name);
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            param.muli((float) (1 - lr * config.weightDecay()));
            m.addi(scratch(step, grad.sub(m)).muli((float) (1 - config.beta1()))); // m.lerp_(g, 1 - beta1)
            v.muli((float) config.beta2()).addi(grad.mul(grad).muli((float) (1 - config.beta2())));
            NDArray denom = scratch(step, v.sqrt()).divi((float) biasCorrection2Sqrt).addi((float) config.epsilon());
            param.subi(scratch(step, m.div(denom)).muli((float) (lr / biasCorrection1)));
        });
    }

    private static NDArray scratch(NDManager step, NDArray temporary) {
        temporary.attach(step);
        return temporary;
    }

    long updates() {
        return updates;
    }

    /** Moments as {@code exp_avg.<name>} and {@code exp_avg_sq.<name>}, the names torch uses. */
    SortedMap<String, HostTensor> state() {
        SortedMap<String, HostTensor> state = new TreeMap<>();
        firstMoments.forEach((name, m) -> state.put("exp_avg." + name, DeviceTensors.download(m)));
        secondMoments.forEach((name, v) -> state.put("exp_avg_sq." + name, DeviceTensors.download(v)));
        return state;
    }

    void restore(Map<String, HostTensor> state, long updates) {
        firstMoments.replaceAll((name, old) -> replace(old, state, "exp_avg." + name));
        secondMoments.replaceAll((name, old) -> replace(old, state, "exp_avg_sq." + name));
        this.updates = updates;
    }

    private NDArray replace(NDArray old, Map<String, HostTensor> state, String key) {
        HostTensor saved = state.get(key);
        if (saved == null) {
            throw new IllegalArgumentException("optimizer state has no '" + key + "'");
        }
        NDArray restored = DeviceTensors.upload(manager, saved);
        if (!restored.getShape().equals(old.getShape())) {
            throw new IllegalArgumentException("optimizer state '" + key + "' has shape " + restored.getShape()
                    + ", the parameter " + old.getShape());
        }
        old.close();
        return restored;
    }

    @Override
    public void close() {
        manager.close();
    }
}
