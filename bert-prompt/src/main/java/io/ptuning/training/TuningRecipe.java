package io.ptuning.training;

import io.ptuning.prompt.PromptConfig;
import java.util.Locale;
import java.util.Map;

/**
 * A named starting point (preset) for a run: what is tuned and how. Any value can be overridden by name.
 *
 * <ul>
 *   <li>{@code seed}: the reference notebook (fastNLP tutorial E2): input prompt, psl 20, AdamW lr 1e-2
 *       with torch defaults and no schedule, batch 32, 20 epochs, head frozen at random init, pooling at
 *       position 0.
 *   <li>{@code ptv2}: P-Tuning v2 as recommended for short-sentence classification: prefix psl 20 in every
 *       layer, no reparameterization, prefix dropout 0.1, trainable head on the pooled [CLS], AdamW lr 1e-2,
 *       6% linear warm-up then linear decay, gradient norm clipped to 1.0, batch 32, 3 epochs.
 * </ul>
 */
public record TuningRecipe(PromptConfig prompt, TrainingConfig training) {

    public static TuningRecipe preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "seed" -> new TuningRecipe(
                    PromptConfig.prompt(20).withNotebookQuirks(),
                    TrainingConfig.adamW(1e-2).withEpochs(20));
            case "ptv2" -> new TuningRecipe(
                    PromptConfig.prefix(20),
                    TrainingConfig.adamW(1e-2).withSchedule(0.06, 1.0).withEpochs(3));
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (known: seed, ptv2)");
        };
    }

    /**
     * This recipe with values replaced by name: {@code method, psl, reparameterize, prefix_dropout, encoder_dropout,
     * freeze_head, pool_first_position, shift_positions, lr, weight_decay, warmup_ratio, max_grad_norm,
     * batch_size, epochs, seed}.
     */
    public TuningRecipe withOverrides(Map<String, String> overrides) {
        Map<String, String> p = new java.util.TreeMap<>(prompt.toMetadata());
        Map<String, String> t = new java.util.TreeMap<>(training.toMetadata());
        overrides.forEach((key, value) -> {
            if (p.containsKey(key)) {
                p.put(key, value);
            } else if (t.containsKey(key)) {
                t.put(key, value);
                if (key.equals("warmup_ratio") || key.equals("max_grad_norm")) {
                    t.put("constant_schedule", "false");
                }
            } else {
                throw new IllegalArgumentException("unknown hyper-parameter '" + key + "' (known: " + p.keySet()
                        + " " + t.keySet() + ")");
            }
        });
        return new TuningRecipe(PromptConfig.fromMetadata(p), trainingFromMetadata(t));
    }

    public static TrainingConfig trainingFromMetadata(Map<String, String> m) {
        return new TrainingConfig(
                Double.parseDouble(m.get("lr")),
                Double.parseDouble(m.get("weight_decay")),
                Double.parseDouble(m.get("beta1")),
                Double.parseDouble(m.get("beta2")),
                Double.parseDouble(m.get("eps")),
                Double.parseDouble(m.get("warmup_ratio")),
                Boolean.parseBoolean(m.get("constant_schedule")),
                Double.parseDouble(m.get("max_grad_norm")),
                Integer.parseInt(m.get("batch_size")),
                Integer.parseInt(m.get("epochs")),
                Integer.parseInt(m.get("seed")));
    }
}
