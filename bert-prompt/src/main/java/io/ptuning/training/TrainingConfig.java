package io.ptuning.training;

import java.util.Map;
import java.util.TreeMap;

/**
 * Optimisation hyper-parameters: AdamW (decoupled weight decay, as {@code torch.optim.AdamW}),
 * linear warm-up then linear decay to zero, gradient-norm clipping, and the seed everything is drawn from.
 *
 * @param warmupRatio fraction of all steps spent warming up; with {@code constantSchedule} no schedule at all
 * @param maxGradNorm clip the global L2 norm of the gradients to this; 0 disables clipping
 */
public record TrainingConfig(
        double learningRate,
        double weightDecay,
        double beta1,
        double beta2,
        double epsilon,
        double warmupRatio,
        boolean constantSchedule,
        double maxGradNorm,
        int batchSize,
        int epochs,
        int seed) {

    public TrainingConfig {
        if (learningRate <= 0) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (warmupRatio < 0 || warmupRatio >= 1) {
            throw new IllegalArgumentException("warmup ratio must be in [0, 1), got " + warmupRatio);
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch size and epochs must be >= 1, got " + batchSize + ", " + epochs);
        }
    }

    /** torch.optim.AdamW's defaults around a learning rate. */
    public static TrainingConfig adamW(double learningRate) {
        return new TrainingConfig(learningRate, 0.01, 0.9, 0.999, 1e-8, 0.0, true, 0.0, 32, 1, 42);
    }

    public TrainingConfig withSchedule(double warmupRatio, double maxGradNorm) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, epsilon, warmupRatio, false, maxGradNorm,
                batchSize, epochs, seed);
    }

    public TrainingConfig withEpochs(int epochs) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, epsilon, warmupRatio, constantSchedule,
                maxGradNorm, batchSize, epochs, seed);
    }

    /** The rows per step; where batches come ready-made (a batch topic), their size, so that metadata says it. */
    public TrainingConfig withBatchSize(int batchSize) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, epsilon, warmupRatio, constantSchedule,
                maxGradNorm, batchSize, epochs, seed);
    }

    public TrainingConfig withSeed(int seed) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, epsilon, warmupRatio, constantSchedule,
                maxGradNorm, batchSize, epochs, seed);
    }

    /** Learning rate of update {@code step} (0-based) out of {@code totalSteps}, as HF's linear schedule. */
    public double learningRateAt(long step, long totalSteps) {
        if (constantSchedule) {
            return learningRate;
        }
        long warmup = (long) Math.ceil(warmupRatio * totalSteps);
        if (step < warmup) {
            return learningRate * step / Math.max(1, warmup);
        }
        return learningRate * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmup));
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new TreeMap<>();
        m.put("lr", Double.toString(learningRate));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("beta1", Double.toString(beta1));
        m.put("beta2", Double.toString(beta2));
        m.put("eps", Double.toString(epsilon));
        m.put("warmup_ratio", Double.toString(warmupRatio));
        m.put("constant_schedule", Boolean.toString(constantSchedule));
        m.put("max_grad_norm", Double.toString(maxGradNorm));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("epochs", Integer.toString(epochs));
        m.put("seed", Integer.toString(seed));
        return m;
    }
}
