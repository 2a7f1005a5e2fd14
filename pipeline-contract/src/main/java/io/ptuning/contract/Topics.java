package io.ptuning.contract;

import java.util.regex.Pattern;

/** Topic names of the pipeline (DESIGN.md "Kafka contract"). */
public final class Topics {

    /** Run requests: key run id, value JSON. */
    public static final String RUNS = "ptuning.runs";
    /** Trainable tensors of a run as safetensors: key run id. */
    public static final String CHECKPOINTS = "ptuning.checkpoints";
    /** CloudEvents JSON from the trainer (loss, lr, examples/s). */
    public static final String TRAIN_METRICS = "ptuning.train-metrics";
    /** CloudEvents JSON from the evaluator (accuracy, F1, confusion matrix). */
    public static final String EVAL_METRICS = "ptuning.eval-metrics";

    private static final String DEAD_LETTER_SUFFIX = ".dlq";
    /** Kafka's legal topic characters; a dot is our separator, so names themselves may not contain one. */
    private static final Pattern NAME_PART = Pattern.compile("[a-zA-Z0-9_-]+");

    private Topics() {
    }

    /** {@code <dataset>.batches.<split>}, e.g. {@code sst2.batches.train}. */
    public static String batches(String dataset, Split split) {
        requireNamePart("dataset", dataset);
        return dataset + ".batches." + split.wireName();
    }

    /** Where records of {@code topic} that cannot be decoded go, with the reason in a header. */
    public static String deadLetter(String topic) {
        if (topic.endsWith(DEAD_LETTER_SUFFIX)) {
            throw new IllegalArgumentException("'" + topic + "' is already a dead-letter topic");
        }
        return topic + DEAD_LETTER_SUFFIX;
    }

    static void requireNamePart(String what, String value) {
        if (value == null || !NAME_PART.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' cannot be part of a topic name: use letters, digits, '_' and '-' only");
        }
    }
}
