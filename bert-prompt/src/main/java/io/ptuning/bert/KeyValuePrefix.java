package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Key and value vectors prepended inside one self-attention layer (P-Tuning v2, Prefix-Tuning):
 * both of shape [batch, heads, prefixLength, headSize], as Hugging Face's {@code past_key_values}.
 * They must belong to the pass's manager (the input ids' one): results of operations on them land there.
 */
public record KeyValuePrefix(NDArray key, NDArray value) {

    /** Pairs layer by layer: keys of layer 0, values of layer 0, keys of layer 1, ... */
    public static List<KeyValuePrefix> ofLayers(List<NDArray> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException(keysAndValues.size() + " tensors do not pair into keys and values");
        }
        List<KeyValuePrefix> layers = new ArrayList<>(keysAndValues.size() / 2);
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            layers.add(new KeyValuePrefix(keysAndValues.get(i), keysAndValues.get(i + 1)));
        }
        return List.copyOf(layers);
    }

    public long length() {
        return key.getShape().get(2);
    }
}
