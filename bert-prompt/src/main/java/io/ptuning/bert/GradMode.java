package io.ptuning.bert;

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
}
