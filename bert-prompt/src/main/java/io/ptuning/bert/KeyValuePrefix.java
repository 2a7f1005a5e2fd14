package io.ptuning.bert;

import ai.djl.ndarray.NDArray;

/**
 * Key and value vectors prepended inside one self-attention layer (P-Tuning v2, Prefix-Tuning):
 * both of shape [batch, heads, prefixLength, headSize], as Hugging Face's {@code past_key_values}.
 * They must belong to the pass's manager (the input ids' one): results of operations on them land there.
 */
public record KeyValuePrefix(NDArray key, NDArray value) {

    public long length() {
        return key.getShape().get(2);
    }
}
