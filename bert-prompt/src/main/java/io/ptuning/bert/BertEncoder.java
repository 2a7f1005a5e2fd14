package io.ptuning.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.ptuning.weights.BertConfig;
import java.util.List;

/**
 * The BERT encoder (Devlin et al. 2019) on DJL NDArray operations, with Hugging Face {@code BertModel}
 * semantics and parameter names. Read it top to bottom: {@link #embed}, then {@link #encode} runs
 * {@link #layer} N times (self-attention, then feed-forward), then {@link #pool}.
 *
 * <p>Two hooks carry the prompt methods: {@code embed} takes vectors to put before the word embeddings
 * (input-level prompts), and {@code encode} takes per-layer key/value prefixes that every self-attention
 * layer prepends to its own keys and values (P-Tuning v2, arXiv 2110.07602, section 3.2).
 *
 * <p>Every result belongs to the manager of the input ids, so a per-step manager frees a whole pass.
 */
public final class BertEncoder {

    private final BertConfig config;
    private final BertWeights weights;
    /**
     * Constants of the forward pass as tensors in libtorch memory, never Java numbers: autograd keeps the operand
     * of a product or quotient for the backward pass, and DJL's number arguments live in memory the JVM frees
     * ({@link DeviceTensors#scalar}).
     */
    private final NDArray sqrtHeadSize;
    private final NDArray half;
    private final NDArray one;
    private final NDArray geluCubic;
    private final NDArray sqrtTwoOverPi;

    /**
     * An encoder over {@code weights}. The first one in a process sets libtorch up: the configured
     * {@link MatmulPrecision} for its device, and {@link HostMemory#keepFreedMemory()}.
     */
    public BertEncoder(BertWeights weights) {
        this.config = weights.config();
        this.weights = weights;
        MatmulPrecision.settle(device());
        HostMemory.keepFreedMemory();
        NDManager constants = weights.manager();
        this.sqrtHeadSize = DeviceTensors.scalar(constants, (float) Math.sqrt(config.headSize()));
        this.half = DeviceTensors.scalar(constants, 0.5f);
        this.one = DeviceTensors.scalar(constants, 1f);
        this.geluCubic = DeviceTensors.scalar(constants, 0.044715f);
        this.sqrtTwoOverPi = DeviceTensors.scalar(constants, (float) Math.sqrt(2 / Math.PI));
    }

    public BertConfig config() {
        return config;
    }

    public BertWeights weights() {
        return weights;
    }

    /** Where the frozen tensors live, and so every pass over them runs. */
    public Device device() {
        return weights.get("embeddings.word_embeddings.weight").getDevice();
    }

    /**
     * Word + position + token-type embeddings, LayerNorm, dropout.
     *
     * @param inputIds [B, T] token ids (int64)
     * @param prompt optional [B, P, H] vectors placed before the word embeddings (null for none); they get
     *     positions 0..P-1 and token type 0, as when Hugging Face receives them through {@code inputs_embeds}
     * @param positionOffset first position of the sequence: 0 normally; P-Tuning v2's reference code starts
     *     real tokens at the prefix length because it passes {@code past_key_values}
     */
    public NDArray embed(NDArray inputIds, NDArray prompt, long positionOffset, DropoutMasks dropout) {
        NDManager manager = inputIds.getManager();
        NDArray words = Embedding.embedding(inputIds, weights.get("embeddings.word_embeddings.weight"), SparseFormat.DENSE).head();
        if (prompt != null) {
            words = prompt.concat(words, 1);
        }
        long length = words.getShape().get(1);
        if (positionOffset + length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence of " + length + " tokens from position " + positionOffset
                    + " exceeds max_position_embeddings " + config.maxPositionEmbeddings());
        }
        NDArray positionIds = manager.arange(positionOffset, positionOffset + length, 1, DataType.INT64);
        NDArray positions = Embedding.embedding(positionIds, weights.get("embeddings.position_embeddings.weight"), SparseFormat.DENSE).head();
        NDArray tokenTypeIds = manager.zeros(new Shape(length), DataType.INT64);
        NDArray tokenTypes = Embedding.embedding(tokenTypeIds, weights.get("embeddings.token_type_embeddings.weight"), SparseFormat.DENSE).head();
        NDArray sum = words.add(positions.add(tokenTypes));
        return dropout(layerNorm(sum, "embeddings.LayerNorm"), dropout);
    }

    /**
     * Runs every encoder layer.
     *
     * @param hidden [B, T, H] embeddings
     * @param attentionMask [B, T] with 1 for real tokens and 0 for padding
     * @param prefixes one key/value prefix per layer, or null; the mask is extended with ones for them
     * @return [B, T, H] last hidden state
     */
    public NDArray encode(NDArray hidden, NDArray attentionMask, List<KeyValuePrefix> prefixes, DropoutMasks dropout) {
        return encode(hidden, attentionMask, prefixes, dropout, -1);
    }

    /**
     * Runs every encoder layer; with {@code onlyPosition >= 0} the last layer computes that row alone and the
     * result is [B, 1, H]. A classifier reads one row, and in the last layer the other rows' queries,
     * attention outputs and feed-forwards feed nothing (their keys and values still do).
     */
    public NDArray encode(NDArray hidden, NDArray attentionMask, List<KeyValuePrefix> prefixes, DropoutMasks dropout,
            long onlyPosition) {
        if (prefixes != null && prefixes.size() != config.numHiddenLayers()) {
            throw new IllegalArgumentException(prefixes.size() + " prefixes for " + config.numHiddenLayers() + " layers");
        }
        NDArray keyMask = attentionMask.toType(DataType.FLOAT32, false);
        if (prefixes != null && prefixes.get(0).length() > 0) {
            NDArray prefixMask = keyMask.getManager().ones(new Shape(keyMask.getShape().get(0), prefixes.get(0).length()));
            keyMask = prefixMask.concat(keyMask, 1);
        }
        // Added to attention scores: 0 where a key may be attended, the most negative float where it may not.
        NDArray maskBias = keyMask.neg().add(1f).mul(-Float.MAX_VALUE).expandDims(1).expandDims(1);
        int last = config.numHiddenLayers() - 1;
        for (int i = 0; i <= last; i++) {
            // The row is copied out of the strided slice: a non-contiguous [B, 1, H] input makes libtorch's linear
            // multiply by a weight expanded to [B, H, H], which oneDNN copies whole on every step.
            NDArray rows = i == last && onlyPosition >= 0
                    ? hidden.get(new NDIndex(":, {}:{}, :", onlyPosition, onlyPosition + 1)).duplicate()
                    : hidden;
            hidden = layer(i, rows, hidden, maskBias, prefixes == null ? null : prefixes.get(i), dropout);
        }
        return hidden;
    }

    /**
     * One transformer layer for {@code rows} (all of {@code hidden}, or a subset): self-attention over all of
     * {@code hidden}, add and norm, feed-forward, add and norm.
     */
    NDArray layer(int index, NDArray rows, NDArray hidden, NDArray maskBias, KeyValuePrefix prefix, DropoutMasks dropout) {
        String name = "encoder.layer." + index + ".";
        NDArray attention = selfAttention(name + "attention.self.", rows, hidden, maskBias, prefix, dropout);
        attention = linear(attention, name + "attention.output.dense");
        NDArray h = layerNorm(dropout(attention, dropout).add(rows), name + "attention.output.LayerNorm");

        NDArray intermediate = gelu(linear(h, name + "intermediate.dense"));
        NDArray output = linear(intermediate, name + "output.dense");
        return layerNorm(dropout(output, dropout).add(h), name + "output.LayerNorm");
    }

    /** Scaled dot-product attention of {@code queries} over [prefix keys; token keys], heads in parallel. */
    NDArray selfAttention(String name, NDArray queries, NDArray hidden, NDArray maskBias, KeyValuePrefix prefix,
            DropoutMasks dropout) {
        NDArray query = splitHeads(linear(queries, name + "query"));
        NDArray key = splitHeads(linear(hidden, name + "key"));
        NDArray value = splitHeads(linear(hidden, name + "value"));
        if (prefix != null && prefix.length() > 0) {
            key = prefix.key().concat(key, 2); // P-Tuning v2: keys [P_k; K]
            value = prefix.value().concat(value, 2); // and values [P_v; V]
        }
        NDArray scores = query.matMul(key.transpose(0, 1, 3, 2)).div(sqrtHeadSize);
        NDArray probabilities = scores.add(maskBias).softmax(-1);
        probabilities = dropout.apply(probabilities, config.attentionProbsDropoutProb());
        return mergeHeads(probabilities.matMul(value));
    }

    /**
     * The pooled sequence: tanh(dense(h)) where the model has a pooler, else h itself, with h the hidden
     * state at {@code position} (the [CLS] token: 0, or psl behind an input-level prompt).
     */
    public NDArray pool(NDArray lastHidden, long position) {
        NDArray cls = lastHidden.get(new NDIndex(":, {}, :", position));
        return weights.hasPooler() ? linear(cls, "pooler.dense").tanh() : cls;
    }

    /** [B, T, H] -> [B, heads, T, headSize] */
    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), config.numAttentionHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    /** [B, heads, T, headSize] -> [B, T, H] */
    private NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), config.hiddenSize());
    }

    NDArray linear(NDArray x, String name) {
        return Linear.linear(x, weights.get(name + ".weight"), weights.get(name + ".bias")).head();
    }

    NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), weights.get(name + ".weight"),
                weights.get(name + ".bias"), (float) config.layerNormEps()).head();
    }

    private NDArray dropout(NDArray x, DropoutMasks dropout) {
        return dropout.apply(x, config.hiddenDropoutProb());
    }

    /** GELU: the exact erf form for {@code hidden_act=gelu}, the tanh approximation for {@code gelu_new}. */
    NDArray gelu(NDArray x) {
        if (!config.tanhGelu()) {
            return x.getNDArrayInternal().gelu();
        }
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        NDArray inner = x.mul(x).mul(x).mul(geluCubic).add(x).mul(sqrtTwoOverPi);
        return inner.tanh().add(one).mul(x).mul(half);
    }

    /** Convenience: the last hidden state for token ids and mask, with no prompt (inference). */
    public NDArray lastHiddenState(NDArray inputIds, NDArray attentionMask) {
        return encode(embed(inputIds, null, 0, DropoutMasks.OFF), attentionMask, null, DropoutMasks.OFF);
    }
}
