package io.ptuning.bert;

import ai.djl.ndarray.NDManager;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.TinyModelFolders;

/** A small BERT with random weights, built by the tests: the logic runs in milliseconds on it. */
public final class TinyBert {

    public static final BertConfig CONFIG = new BertConfig(40, 32, 2, 4, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0, "bert");

    private TinyBert() {}

    public static BertEncoder create(NDManager manager, long seed) {
        return create(CONFIG, manager, seed, true);
    }

    public static BertEncoder create(BertConfig config, NDManager manager, long seed, boolean pooler) {
        return new BertEncoder(BertWeights.fromHost(config, TinyModelFolders.randomWeights(config, seed, pooler),
                "tiny-bert", manager));
    }
}
