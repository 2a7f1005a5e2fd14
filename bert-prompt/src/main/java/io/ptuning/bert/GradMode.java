package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's grad mode is per thread and on by default; DJL turns it off only on the thread that loaded the
 * engine, and its {@code GradientCollector} restores the mode it found. Work on any other thread (a Kafka
 * consumer's worker, a request thread) would record autograd graphs during inference and refuse the
 * optimizer's in-place updates. Every entry point that runs the model calls {@link #off()} first.
 */
public final class GradMode {

    private GradMode() {}

    /** Turns recording off on this thread; a {@code GradientCollector} turns it on for its own scope only. */
    public static void off() {
        JniUtils.setGradMode(false);
    }

    /**
     * Turns recording on for this thread only, for forward passes whose backward runs elsewhere: DJL allows one
     * {@code GradientCollector} per process, and data-parallel steps run several backward passes at once.
     */
    public static void on() {
        JniUtils.setGradMode(true);
    }

    /**
     * Backpropagates a scalar into the gradients of every tensor that requires one, as
     * {@code GradientCollector.backward} does; safe on any thread, concurrently for separate graphs.
     */
    public static void backward(NDArray scalar) {
        NDArray seed = scalar.getManager().ones(scalar.getShape(), scalar.getDataType());
        JniUtils.backward((PtNDArray) scalar, (PtNDArray) seed, false, false);
    }
}
