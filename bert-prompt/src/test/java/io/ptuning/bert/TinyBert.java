package io.ptuning.bert;

import ai.djl.ndarray.NDManager;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.HostTensor;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** A small BERT with random weights, built by the tests: the logic runs in milliseconds on it. */
public final class TinyBert {

    public static final BertConfig CONFIG = new BertConfig(40, 32, 2, 4, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0, "bert");

    private TinyBert() {}

    public static BertEncoder create(NDManager manager, long seed) {
        return create(CONFIG, manager, seed, true);
    }

    public static BertEncoder create(BertConfig config, NDManager manager, long seed, boolean pooler) {
        Random random = new Random(seed);
        Map<String, HostTensor> tensors = new TreeMap<>();
        BertParameterLayout layout = new BertParameterLayout(config);
        Map<String, long[]> shapes = new TreeMap<>(layout.encoder());
        if (pooler) {
            shapes.putAll(layout.pooler());
        }
        shapes.forEach((name, shape) -> {
            float[] values = new float[(int) HostTensor.elementCount(shape)];
            boolean layerNormWeight = name.contains("LayerNorm.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = layerNormWeight ? 1f + 0.1f * (float) random.nextGaussian() : 0.2f * (float) random.nextGaussian();
            }
            tensors.put(name, HostTensor.ofFloats(shape, values));
        });
        return new BertEncoder(BertWeights.fromHost(config, tensors, "tiny-bert", manager));
    }
}
