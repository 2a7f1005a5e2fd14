package io.ptuning.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.bert.KeyValuePrefix;
import io.ptuning.weights.BertConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P-Tuning v2 (arXiv 2110.07602): a key and a value prefix of length psl for every self-attention layer,
 * as one table of [psl, 2 * layers * hidden] (trainable: psl * 2 * L * d), or produced from a
 * [psl, hidden] table by Linear -> tanh -> Linear (reparameterization, as in PEFT's
 * {@code tuners/prefix_tuning/model.py}). Dropout on the prefix; real tokens start at position 0
 * unless {@code shiftPositions} copies the reference code's shift by psl.
 */
final class PrefixEncoder implements PromptMethod {

    static final String EMBEDDING = "prefix.embedding";
    static final String TRANSFORM_IN = "prefix.transform.0";
    static final String TRANSFORM_OUT = "prefix.transform.2";

    private final Map<String, NDArray> parameters;
    private final BertConfig bert;
    private final PromptConfig config;

    private PrefixEncoder(Map<String, NDArray> parameters, BertConfig bert, PromptConfig config) {
        this.parameters = parameters;
        this.bert = bert;
        this.config = config;
    }

    static PrefixEncoder initialize(NDManager manager, BertConfig bert, PromptConfig config) {
        long keysAndValues = 2L * bert.numHiddenLayers() * bert.hiddenSize();
        Map<String, NDArray> p = new LinkedHashMap<>();
        if (!config.reparameterize()) {
            p.put(EMBEDDING, manager.randomNormal(new Shape(config.prefixLength(), keysAndValues)));
        } else {
            int hidden = bert.hiddenSize();
            int mlp = config.reparameterizationHidden();
            p.put(EMBEDDING, manager.randomNormal(new Shape(config.prefixLength(), hidden)));
            p.put(TRANSFORM_IN + ".weight", uniform(manager, hidden, new Shape(mlp, hidden)));
            p.put(TRANSFORM_IN + ".bias", uniform(manager, hidden, new Shape(mlp)));
            p.put(TRANSFORM_OUT + ".weight", uniform(manager, mlp, new Shape(keysAndValues, mlp)));
            p.put(TRANSFORM_OUT + ".bias", uniform(manager, mlp, new Shape(keysAndValues)));
        }
        return new PrefixEncoder(p, bert, config);
    }

    static PrefixEncoder restore(Map<String, NDArray> parameters, BertConfig bert, PromptConfig config) {
        return new PrefixEncoder(parameters, bert, config);
    }

    /** nn.Linear's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    private static NDArray uniform(NDManager manager, int fanIn, Shape shape) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        return manager.randomUniform(-bound, bound, shape);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The prefix as the encoder wants it: per layer, keys and values of [batch, heads, psl, headSize].
     * The reparameterization MLP runs on psl rows once, not once per example. The table is split per layer
     * before it is expanded to the batch (a view): split the other way round, backward assembled the
     * gradient of a [2 * layers, batch, heads, psl, headSize] tensor every step (94 MB for bert-base at psl
     * 40 and batch 32, memory that glibc maps afresh each time): a quarter of the CPU time in a profile of
     * that recipe (BENCHMARKS.md).
     */
    List<KeyValuePrefix> keyValuePrefixes(NDManager step, long batch, DropoutMasks dropout) {
        long length = config.prefixLength();
        long layers2 = 2L * bert.numHiddenLayers();
        NDList perLayer = table(step)
                .reshape(length, layers2, bert.numAttentionHeads(), bert.headSize())
                .transpose(1, 2, 0, 3) // [2L, heads, psl, headSize]
                .split(layers2, 0); // keys of layer 0, values of layer 0, keys of layer 1, ...: [1, heads, psl, headSize]
        Shape batched = new Shape(batch, bert.numAttentionHeads(), length, bert.headSize());
        List<NDArray> keysAndValues = perLayer.stream().map(x -> x.broadcast(batched)).toList();
        // One draw for all of them: the masks of one dropout over the [2L, batch, heads, psl, headSize] stack.
        return KeyValuePrefix.ofLayers(dropout.apply(keysAndValues, config.prefixDropout()));
    }

    /** The [psl, 2 * layers * hidden] prefix table, through the MLP when reparameterized. */
    NDArray table(NDManager step) {
        // A lookup of ids 0..psl-1 (not the parameter itself) keeps results in the step's manager.
        NDArray ids = step.arange(0L, (long) config.prefixLength(), 1L, DataType.INT64);
        NDArray table = Embedding.embedding(ids, parameters.get(EMBEDDING), SparseFormat.DENSE).head();
        if (!config.reparameterize()) {
            return table;
        }
        NDArray h = Linear.linear(table, parameters.get(TRANSFORM_IN + ".weight"), parameters.get(TRANSFORM_IN + ".bias")).head();
        return Linear.linear(h.tanh(), parameters.get(TRANSFORM_OUT + ".weight"), parameters.get(TRANSFORM_OUT + ".bias")).head();
    }

    @Override
    public NDArray encode(BertEncoder encoder, NDArray inputIds, NDArray attentionMask, Dropouts dropouts) {
        long batch = inputIds.getShape().get(0);
        List<KeyValuePrefix> prefixes = keyValuePrefixes(inputIds.getManager(), batch, dropouts.onMethod());
        long firstPosition = config.shiftPositions() ? config.prefixLength() : 0;
        NDArray hidden = encoder.embed(inputIds, null, firstPosition, dropouts.inEncoder());
        return encoder.encode(hidden, attentionMask, prefixes, dropouts.inEncoder(), 0);
    }
}
