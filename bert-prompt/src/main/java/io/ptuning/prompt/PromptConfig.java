package io.ptuning.prompt;

import java.util.Map;
import java.util.TreeMap;

/**
 * What is trained on top of the frozen BERT, and how it is wired in.
 *
 * @param method {@code prefix} (P-Tuning v2, the default) or {@code prompt} (input-level soft prompt)
 * @param prefixLength psl: number of prompt vectors, or of key/value prefix positions per layer
 * @param reparameterize prefix only: produce the prefix through Embedding -> Linear -> tanh -> Linear
 * @param reparameterizationHidden hidden width of that MLP (512 in P-Tuning v2)
 * @param prefixDropout dropout on the prefix (P-Tuning v2 uses the model's hidden dropout, 0.1)
 * @param freezeHead reference-notebook quirk: the classification head stays at its random initialisation
 * @param poolFirstPosition reference-notebook quirk: pool the first prompt vector instead of [CLS]
 * @param shiftPositions P-Tuning v2 reference-code quirk: real tokens start at position psl
 * @param numLabels classes of the task (2 for SST-2)
 * @param encoderDropout during training, the frozen encoder and the pooled output use the base model's dropout
 *     (P-Tuning v2 trains with the model in train mode); off, only the method's own dropout stays
 */
public record PromptConfig(
        Method method,
        int prefixLength,
        boolean reparameterize,
        int reparameterizationHidden,
        double prefixDropout,
        boolean freezeHead,
        boolean poolFirstPosition,
        boolean shiftPositions,
        int numLabels,
        boolean encoderDropout) {

    /** The two methods; names are those used in run requests and checkpoint metadata. */
    public enum Method {
        PROMPT,
        PREFIX;

        public String id() {
            return name().toLowerCase();
        }

        public static Method of(String id) {
            for (Method m : values()) {
                if (m.id().equalsIgnoreCase(id)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + id + "' (known: prompt, prefix)");
        }
    }

    public PromptConfig {
        if (prefixLength < 0) {
            throw new IllegalArgumentException("prefix length must be >= 0, got " + prefixLength);
        }
        if (numLabels < 2) {
            throw new IllegalArgumentException("numLabels must be >= 2, got " + numLabels);
        }
        if (method == Method.PROMPT && reparameterize) {
            throw new IllegalArgumentException("reparameterization applies to the prefix method only");
        }
        if (method == Method.PREFIX && poolFirstPosition) {
            throw new IllegalArgumentException("poolFirstPosition applies to the prompt method only");
        }
    }

    /** P-Tuning v2 for SST-2-sized tasks: psl 20, no reparameterization, dropout 0.1, trainable head. */
    public static PromptConfig prefix(int prefixLength) {
        return new PromptConfig(Method.PREFIX, prefixLength, false, 512, 0.1, false, false, false, 2, true);
    }

    /** Input-level prompt with a trainable head and [CLS] pooling (the notebook's quirks off). */
    public static PromptConfig prompt(int prefixLength) {
        return new PromptConfig(Method.PROMPT, prefixLength, false, 512, 0.0, false, false, false, 2, true);
    }

    public PromptConfig withReparameterization(boolean on) {
        return new PromptConfig(method, prefixLength, on, reparameterizationHidden, prefixDropout, freezeHead,
                poolFirstPosition, shiftPositions, numLabels, encoderDropout);
    }

    public PromptConfig withNotebookQuirks() {
        return new PromptConfig(method, prefixLength, reparameterize, reparameterizationHidden, prefixDropout, true,
                true, shiftPositions, numLabels, encoderDropout);
    }

    public PromptConfig withShiftedPositions(boolean on) {
        return new PromptConfig(method, prefixLength, reparameterize, reparameterizationHidden, prefixDropout,
                freezeHead, poolFirstPosition, on, numLabels, encoderDropout);
    }

    public PromptConfig withEncoderDropout(boolean on) {
        return new PromptConfig(method, prefixLength, reparameterize, reparameterizationHidden, prefixDropout,
                freezeHead, poolFirstPosition, shiftPositions, numLabels, on);
    }

    /** As checkpoint metadata: flat string pairs, readable without project code. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new TreeMap<>();
        m.put("method", method.id());
        m.put("psl", Integer.toString(prefixLength));
        m.put("reparameterize", Boolean.toString(reparameterize));
        m.put("reparameterization_hidden", Integer.toString(reparameterizationHidden));
        m.put("prefix_dropout", Double.toString(prefixDropout));
        m.put("freeze_head", Boolean.toString(freezeHead));
        m.put("pool_first_position", Boolean.toString(poolFirstPosition));
        m.put("shift_positions", Boolean.toString(shiftPositions));
        m.put("num_labels", Integer.toString(numLabels));
        m.put("encoder_dropout", Boolean.toString(encoderDropout));
        return m;
    }

    public static PromptConfig fromMetadata(Map<String, String> m) {
        return new PromptConfig(
                Method.of(require(m, "method")),
                Integer.parseInt(require(m, "psl")),
                Boolean.parseBoolean(require(m, "reparameterize")),
                Integer.parseInt(require(m, "reparameterization_hidden")),
                Double.parseDouble(require(m, "prefix_dropout")),
                Boolean.parseBoolean(require(m, "freeze_head")),
                Boolean.parseBoolean(require(m, "pool_first_position")),
                Boolean.parseBoolean(require(m, "shift_positions")),
                Integer.parseInt(require(m, "num_labels")),
                // Checkpoints written before this option existed trained with the encoder's dropout.
                Boolean.parseBoolean(m.getOrDefault("encoder_dropout", "true")));
    }

    private static String require(Map<String, String> m, String key) {
        String value = m.get(key);
        if (value == null) {
            throw new IllegalArgumentException("checkpoint metadata has no '" + key + "'");
        }
        return value;
    }
}
