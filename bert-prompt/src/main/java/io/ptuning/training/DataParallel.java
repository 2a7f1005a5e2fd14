package io.ptuning.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.loss.Loss;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.GradMode;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The loss and gradients of a training step over one or more replicas of the model (data parallel). What DJL's
 * {@code ParallelTrain} does for {@code Block}s, written for the prompt model, whose encoder is NDArray code: split
 * the batch by rows into one part per replica, run forward and backward on every part, sum the parts' gradients
 * into the model's.
 *
 * <p>A replica is the model's trainable tensors over one copy of the frozen encoder, normally one per GPU. Replica 0
 * is the model itself; the others receive its tensors after every update ({@link #broadcast}). Replicas on the CPU
 * share the CPU encoder and split its cores: each part runs on its own thread with its share of libtorch's threads,
 * which then wait less for each other than one pass over every core does (BENCHMARKS.md, "CPU replicas").
 *
 * <p>Deterministic: every part runs its forward and backward pass on a thread of its own and draws the masks of its
 * own rows ({@link DropoutMasks#forRows}), the values the whole batch would get, so no order between the threads
 * matters. Each part's loss is weighted by its share of the rows, so the summed gradient is the gradient of the
 * whole batch's mean loss. With one replica the step is exactly the single-device step, on the calling thread; with n
 * replicas a run replays bit for bit, but its sums are rounded differently from a run with another replica count.
 */
final class DataParallel implements AutoCloseable {

    private static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss();

    private final List<PromptTunedBert> replicas = new ArrayList<>();
    private final List<NDManager> replicaManagers = new ArrayList<>();
    /** One thread per replica, each running its part's forward and backward pass. */
    private final ExecutorService partThreads;
    /** libtorch threads of each CPU replica's part: the CPU's cores shared out. */
    private final int threadsPerCpuReplica;

    /** @param otherEncoders the model's frozen encoder on each further device (the same encoder for CPU replicas) */
    DataParallel(PromptTunedBert model, List<BertEncoder> otherEncoders) {
        replicas.add(model);
        SortedMap<String, HostTensor> state = otherEncoders.isEmpty() ? null : model.state();
        for (BertEncoder encoder : otherEncoders) {
            if (!encoder.weights().fingerprint().equals(model.encoder().weights().fingerprint())) {
                throw new IllegalArgumentException("replica encoder " + encoder.weights().fingerprint()
                        + " is not the model's base model " + model.encoder().weights().fingerprint());
            }
            NDManager manager = NDManager.newBaseManager(encoder.device());
            replicaManagers.add(manager);
            replicas.add(PromptTunedBert.restore(encoder, model.config(), state, "replica of the model", manager));
        }
        long cpuReplicas = replicas.stream().filter(DataParallel::onCpu).count();
        threadsPerCpuReplica = (int) Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, cpuReplicas));
        partThreads = replicas.size() == 1 ? null : Executors.newFixedThreadPool(replicas.size(), runnable -> {
            Thread thread = new Thread(runnable, "data-parallel-part");
            thread.setDaemon(true);
            return thread;
        });
    }

    PromptTunedBert replica(int index) {
        return replicas.get(index);
    }

    /**
     * Forward and backward over {@code batch} with dropout; afterwards the model's gradients are the whole batch's.
     * Temporaries go to {@code scope}. Returns the batch's mean loss.
     */
    double lossAndGradients(TrainingBatch batch, DropoutMasks dropout, NDManager scope) {
        int parts = Math.min(replicas.size(), batch.size());
        if (parts == 1) {
            return lossAndBackward(replicas.get(0), batch, dropout, 1f, scope);
        }
        List<Future<Float>> losses = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            int from = batch.size() * i / parts;
            int to = batch.size() * (i + 1) / parts;
            PromptTunedBert replica = replicas.get(i);
            DropoutMasks rows = dropout.forRows(from, batch.size());
            losses.add(partThreads.submit(() -> {
                if (onCpu(replica)) {
                    // libtorch's thread count is per calling thread (OpenMP's); this also becomes the count that
                    // threads entering libtorch for the first time start with.
                    JniUtils.setNumThreads(threadsPerCpuReplica);
                }
                return lossAndBackward(replica, batch.rows(from, to), rows, (float) (to - from) / batch.size(), scope);
            }));
        }
        double sum = 0;
        try {
            for (Future<Float> loss : losses) {
                sum += loss.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a data-parallel step", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a replica's forward or backward pass failed: " + e.getCause(), e.getCause());
        }
        sumGradientsIntoTheModel(parts, scope);
        return sum;
    }

    /**
     * Forward and backward over one part on this thread; returns the part's weighted loss. The part's tensors, and the
     * autograd graph they hold, are freed here too, on the part's thread beside the other parts: left to the step's
     * end, the caller freed every part's after all had finished, about 2.4 ms of a 107 ms MiniLM step in which both
     * parts waited (BENCHMARKS.md, "CPU replicas").
     */
    private static float lossAndBackward(PromptTunedBert replica, TrainingBatch part, DropoutMasks dropout, float share,
            NDManager scope) {
        try (NDManager onDevice = scope.newSubManager(replica.encoder().device())) {
            NDArray loss = forward(replica, part, dropout, share, onDevice);
            GradMode.backward(loss);
            return loss.getFloat();
        } finally {
            GradMode.off();
        }
    }

    private static boolean onCpu(PromptTunedBert replica) {
        return Device.Type.CPU.equals(replica.encoder().device().getDeviceType());
    }

    /** The part's mean loss times its share of the batch's rows, recorded for backward; its tensors go to {@code onDevice}. */
    private static NDArray forward(PromptTunedBert replica, TrainingBatch part, DropoutMasks dropout, float share,
            NDManager onDevice) {
        GradMode.on();
        NDArray ids = DeviceTensors.upload(onDevice, part.inputIds());
        NDArray mask = DeviceTensors.upload(onDevice, part.attentionMask());
        NDArray labels = DeviceTensors.upload(onDevice, part.labels());
        NDArray logits = replica.logits(ids, mask, dropout);
        NDArray loss = CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(logits));
        // A share of exactly 1 (one part) leaves the single-device step's numbers untouched.
        return share == 1f ? loss : loss.mul(DeviceTensors.scalar(onDevice, share));
    }

    /** Adds replicas 1..n-1's gradients to the model's, in replica order, and zeroes theirs. */
    private void sumGradientsIntoTheModel(int parts, NDManager scope) {
        Map<String, NDArray> target = replicas.get(0).trainableParameters();
        for (int i = 1; i < parts; i++) {
            replicas.get(i).trainableParameters().forEach((name, parameter) -> {
                NDArray gradient = parameter.getGradient();
                gradient.attach(scope);
                NDArray sum = target.get(name).getGradient();
                sum.attach(scope);
                NDArray moved = gradient.toDevice(sum.getDevice(), false);
                moved.attach(scope);
                sum.addi(moved);
                gradient.set(new NDIndex(":"), 0f);
            });
        }
    }

    /** Copies the model's trainable tensors into every other replica, after an update. */
    void broadcast(NDManager scope) {
        Map<String, NDArray> source = replicas.get(0).trainableParameters();
        for (int i = 1; i < replicas.size(); i++) {
            replicas.get(i).trainableParameters().forEach((name, parameter) -> {
                NDArray value = source.get(name).toDevice(parameter.getDevice(), false);
                if (value != source.get(name)) {
                    value.attach(scope);
                }
                parameter.set(new NDIndex(":"), value);
            });
        }
    }

    @Override
    public void close() {
        if (partThreads != null) {
            partThreads.shutdownNow();
        }
        for (int i = 1; i < replicas.size(); i++) {
            replicas.get(i).close();
        }
        replicaManagers.forEach(NDManager::close);
    }
}
