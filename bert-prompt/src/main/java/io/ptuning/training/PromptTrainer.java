package io.ptuning.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.GradMode;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The training step: forward with dropout, cross-entropy, backward into the trainable tensors only,
 * global gradient-norm clipping, scheduled AdamW update.
 *
 * <p>Deterministic: a step's dropout masks depend only on the run's seed and the step's index
 * ({@link DropoutMasks}); nothing in a step draws from libtorch's generator. The same batches and seed
 * give the same tensors bit for bit on the same kind of CPU, also after {@link #restore} mid-run.
 * On several devices, each batch is split between replicas of the model ({@link DataParallel}).
 */
public final class PromptTrainer implements AutoCloseable {

    private final PromptTunedBert model;
    private final TrainingConfig config;
    private final long totalSteps;
    private final SortedMap<String, NDArray> trainable;
    private final AdamW optimizer;
    private final NDManager manager;
    private final DataParallel replicas;
    private long step;
    private long skippedSteps;

    /** @param totalSteps updates in the whole run, for the learning-rate schedule */
    public PromptTrainer(PromptTunedBert model, TrainingConfig config, long totalSteps, NDManager manager) {
        this(model, List.of(), config, totalSteps, manager);
    }

    /**
     * A data-parallel trainer: each batch is split by rows between the model and one replica over each of
     * {@code otherDevices}, the model's base encoder on further devices (normally one per GPU), and the gradients are
     * summed before the update (see {@link DataParallel}).
     *
     * @param totalSteps updates in the whole run, for the learning-rate schedule
     */
    public PromptTrainer(PromptTunedBert model, List<BertEncoder> otherDevices, TrainingConfig config, long totalSteps,
            NDManager manager) {
        this.model = model;
        this.config = config;
        this.totalSteps = totalSteps;
        this.trainable = model.trainableParameters();
        this.manager = manager;
        this.optimizer = new AdamW(config, trainable, manager);
        this.replicas = new DataParallel(model, otherDevices);
    }

    /** What one step did, for metrics. */
    public record StepResult(long step, double loss, double learningRate, double gradientNorm) {}

    public StepResult step(TrainingBatch batch) {
        GradMode.off(); // on for the forward passes only, off for the update
        try (NDManager scope = manager.newSubManager()) {
            double loss = replicas.lossAndGradients(batch, DropoutMasks.forStep(config.seed(), step), scope);
            Map<String, NDArray> gradients = new TreeMap<>();
            trainable.forEach((name, p) -> {
                NDArray gradient = p.getGradient();
                gradient.attach(scope);
                gradients.put(name, gradient);
            });
            double norm = clipGradientNorm(gradients, scope);
            double lr = config.learningRateAt(step, totalSteps);
            if (Double.isFinite(loss) && Double.isFinite(norm)) {
                optimizer.update(trainable, gradients, lr, scope);
            } else {
                // An overflow in one batch must not turn every parameter into NaN for the rest of the run:
                // skip the update (as mixed-precision loss scalers do); the loss reported says why.
                skippedSteps++;
            }
            // libtorch adds every backward pass to the gradients (and DJL does not zero them): zero them here.
            // Filling with zeros (not g - g) also clears an inf or NaN.
            gradients.values().forEach(g -> g.set(new NDIndex(":"), 0f));
            replicas.broadcast(scope);
            return new StepResult(step++, loss, lr, norm);
        }
    }

    /** torch.nn.utils.clip_grad_norm_: scale all gradients by max/(norm+1e-6) when the norm exceeds max. */
    private double clipGradientNorm(Map<String, NDArray> gradients, NDManager scope) {
        double sumOfSquares = 0;
        for (NDArray g : gradients.values()) {
            NDArray norm = g.norm();
            norm.attach(scope);
            float value = norm.getFloat();
            sumOfSquares += (double) value * value;
        }
        double total = Math.sqrt(sumOfSquares);
        if (config.maxGradNorm() > 0 && Double.isFinite(total)) {
            double coefficient = config.maxGradNorm() / (total + 1e-6);
            if (coefficient < 1) {
                gradients.values().forEach(g -> g.muli((float) coefficient));
            }
        }
        return total;
    }

    /** Steps whose loss or gradient was not finite, so no update was applied. */
    public long skippedSteps() {
        return skippedSteps;
    }

    DataParallel dataParallel() {
        return replicas;
    }

    public long stepsDone() {
        return step;
    }

    public PromptTunedBert model() {
        return model;
    }

    /** Everything needed to continue this run exactly: step, optimizer moments (not the model tensors). */
    public SafetensorsFile optimizerState(Map<String, String> metadata) {
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.put("step", Long.toString(step));
        meta.put("optimizer_updates", Long.toString(optimizer.updates()));
        return new SafetensorsFile(optimizer.state(), meta);
    }

    /** Continues a run: the model must already hold the trainable tensors saved at the same step. */
    public void restore(SafetensorsFile optimizerState) {
        Map<String, HostTensor> moments = optimizerState.tensors();
        this.step = Long.parseLong(optimizerState.metadata().get("step"));
        optimizer.restore(moments, Long.parseLong(optimizerState.metadata().get("optimizer_updates")));
    }

    @Override
    public void close() {
        replicas.close();
        optimizer.close();
    }
}
