package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * BERT's masked-language-model head ({@code cls.predictions}): dense, GELU, LayerNorm, then scores over
 * the vocabulary with the decoder tied to the word embeddings. Used to check imported weights
 * ("the capital of france is [MASK] ." -> "paris"), not for tuning.
 */
public final class MaskedLmHead {

    private final BertEncoder encoder;

    public MaskedLmHead(BertEncoder encoder) {
        if (!encoder.weights().hasMaskedLmHead()) {
            throw new IllegalArgumentException("this model has no MLM head (cls.predictions.*); import one that does, e.g. bert-base-uncased");
        }
        this.encoder = encoder;
    }

    /** [B, T, H] hidden states -> [B, T, vocab] logits. */
    public NDArray logits(NDArray lastHidden) {
        NDArray transformed = encoder.layerNorm(
                encoder.gelu(encoder.linear(lastHidden, "cls.predictions.transform.dense")),
                "cls.predictions.transform.LayerNorm");
        return Linear.linear(transformed, encoder.weights().get("embeddings.word_embeddings.weight"),
                encoder.weights().get("cls.predictions.bias")).head();
    }
}
