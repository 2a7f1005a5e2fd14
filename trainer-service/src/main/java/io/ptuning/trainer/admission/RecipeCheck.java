package io.ptuning.trainer.admission;

import io.ptuning.training.TuningRecipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The preset and overrides of a run request, value by value: the key is one the model library knows, the value has
 * its type and range, and the values together make a recipe. The library parses leniently ({@code "yes"} reads as
 * false, {@code NaN} passes a {@code > 0} test), so the types and ranges are stated here.
 */
final class RecipeCheck {

    static final List<String> PRESETS = List.of("ptv2", "seed");

    private enum Kind { BOOLEAN, METHOD, COUNT, POSITIVE, NON_NEGATIVE, FRACTION, INTEGER }

    /** Every key the library reads, with what its value must be; keys the library adds later are parsed by it alone. */
    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("method", Kind.METHOD),
            Map.entry("psl", Kind.COUNT),
            Map.entry("reparameterize", Kind.BOOLEAN),
            Map.entry("reparameterization_hidden", Kind.COUNT),
            Map.entry("prefix_dropout", Kind.FRACTION),
            Map.entry("freeze_head", Kind.BOOLEAN),
            Map.entry("pool_first_position", Kind.BOOLEAN),
            Map.entry("shift_positions", Kind.BOOLEAN),
            Map.entry("num_labels", Kind.COUNT),
            Map.entry("encoder_dropout", Kind.BOOLEAN),
            Map.entry("lr", Kind.POSITIVE),
            Map.entry("weight_decay", Kind.NON_NEGATIVE),
            Map.entry("beta1", Kind.FRACTION),
            Map.entry("beta2", Kind.FRACTION),
            Map.entry("eps", Kind.POSITIVE),
            Map.entry("warmup_ratio", Kind.FRACTION),
            Map.entry("constant_schedule", Kind.BOOLEAN),
            Map.entry("max_grad_norm", Kind.NON_NEGATIVE),
            Map.entry("batch_size", Kind.COUNT),
            Map.entry("epochs", Kind.COUNT),
            Map.entry("seed", Kind.INTEGER));

    private RecipeCheck() {}

    /** Every problem of {@code preset} with {@code overrides}; empty when they make a recipe. */
    static List<String> problems(String preset, Map<String, String> overrides) {
        List<String> problems = new ArrayList<>();
        if (!PRESETS.contains(preset.toLowerCase(Locale.ROOT))) {
            problems.add("preset '" + preset + "' is unknown (known: " + String.join(", ", PRESETS) + ")");
            preset = "ptv2"; // the overrides are still checked, against the default preset's keys
        }
        TuningRecipe base = TuningRecipe.preset(preset);
        Set<String> known = new TreeSet<>(base.prompt().toMetadata().keySet());
        known.addAll(base.training().toMetadata().keySet());
        Map<String, String> usable = new TreeMap<>();
        overrides.forEach((key, value) -> {
            if (!known.contains(key)) {
                problems.add("overrides." + key + " is not a hyper-parameter (known: " + String.join(", ", known) + ")");
                return;
            }
            String problem = valueProblem(key, value);
            if (problem != null) {
                problems.add("overrides." + key + " '" + value + "' " + problem);
                return;
            }
            try {
                base.withOverrides(Map.of(key, value));
                usable.put(key, value);
            } catch (IllegalArgumentException e) {
                problems.add("overrides." + key + " '" + value + "': " + e.getMessage());
            }
        });
        if (problems.isEmpty()) {
            try {
                base.withOverrides(usable);
            } catch (IllegalArgumentException e) {
                problems.add("overrides " + usable + " do not go together: " + e.getMessage());
            }
        }
        return problems;
    }

    private static String valueProblem(String key, String value) {
        Kind kind = KINDS.get(key);
        if (kind == null) {
            return null;
        }
        String v = value.trim();
        return switch (kind) {
            case BOOLEAN -> v.equals("true") || v.equals("false") ? null : "must be true or false";
            case METHOD -> v.equals("prefix") || v.equals("prompt") ? null : "is not a method (known: prefix, prompt)";
            case COUNT -> integer(v) == null || integer(v) < 1 ? "must be an integer >= 1" : null;
            case INTEGER -> integer(v) == null ? "must be an integer" : null;
            case POSITIVE -> number(v) == null || number(v) <= 0 ? "must be a number > 0" : null;
            case NON_NEGATIVE -> number(v) == null || number(v) < 0 ? "must be a number >= 0" : null;
            case FRACTION -> number(v) == null || number(v) < 0 || number(v) >= 1 ? "must be a number in [0, 1)" : null;
        };
    }

    private static Long integer(String value) {
        try {
            long n = Long.parseLong(value);
            return n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double number(String value) {
        try {
            double n = Double.parseDouble(value);
            return Double.isFinite(n) ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
