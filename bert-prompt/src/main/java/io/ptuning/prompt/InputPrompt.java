package io.ptuning.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.ptuning.bert.BertEncoder;
import java.util.Map;

/**
 * Input-level soft prompt (the reference notebook's model; Lester et al. 2021, P-Tuning v1): psl trainable
 * vectors concatenated before the word embeddings, attention mask extended with ones.
 * Trainable: psl * hidden.
 */
final class InputPrompt implements PromptMethod {

    static final String EMBEDDING = "prompt.embedding";

    private final NDArray embedding; // [psl, hidden]
    private final boolean poolFirstPosition;

    InputPrompt(NDArray embedding, boolean poolFirstPosition) {
        this.embedding = embedding;
        this.poolFirstPosition = poolFirstPosition;
    }

    static InputPrompt initialize(NDManager manager, int prefixLength, int hidden, boolean poolFirstPosition) {
        // nn.Embedding's initialisation: N(0, 1).
        return new InputPrompt(manager.randomNormal(new Shape(prefixLength, hidden)), poolFirstPosition);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of(EMBEDDING, embedding);
    }

    @Override
    public NDArray encode(BertEncoder encoder, NDArray inputIds, NDArray attentionMask, Dropouts dropouts) {
        NDManager step = inputIds.getManager();
        long batch = inputIds.getShape().get(0);
        long length = embedding.getShape().get(0);
        NDArray prompt = null;
        NDArray mask = attentionMask;
        if (length > 0) {
            // A lookup of ids 0..psl-1 (not the parameter itself) keeps results in the step's manager.
            NDArray vectors = Embedding.embedding(step.arange(0L, length, 1L, DataType.INT64), embedding, SparseFormat.DENSE).head();
            prompt = vectors.expandDims(0).broadcast(new Shape(batch, length, vectors.getShape().get(1)));
            mask = step.ones(new Shape(batch, length), attentionMask.getDataType()).concat(attentionMask, 1);
        }
        NDArray hidden = encoder.embed(inputIds, prompt, 0, dropouts.inEncoder());
        long poolPosition = poolFirstPosition ? 0 : length;
        return encoder.encode(hidden, mask, null, dropouts.inEncoder(), poolPosition);
    }
}
