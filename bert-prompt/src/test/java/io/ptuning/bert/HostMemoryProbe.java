package io.ptuning.bert;

/** Prints {@link HostMemory#describe()} in a JVM of its own, for a test that starts it with another malloc preloaded. */
public final class HostMemoryProbe {

    private HostMemoryProbe() {
    }

    public static void main(String[] args) {
        System.out.println(HostMemory.describe());
    }
}
