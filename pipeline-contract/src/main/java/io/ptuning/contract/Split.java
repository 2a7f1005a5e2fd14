package io.ptuning.contract;

/** A dataset split as it appears in topic names and record metadata; GLUE's dev split is {@code validation}. */
public enum Split {
    TRAIN("train"),
    VALIDATION("validation"),
    TEST("test");

    private final String wireName;

    Split(String wireName) {
        this.wireName = wireName;
    }

    /** The name in topics and metadata: {@code train}, {@code validation}, {@code test}. */
    public String wireName() {
        return wireName;
    }

    public static Split fromWireName(String name) {
        for (Split split : values()) {
            if (split.wireName.equals(name)) {
                return split;
            }
        }
        throw new IllegalArgumentException("unknown split '" + name + "' (expected train, validation or test)");
    }
}
