package io.ptuning.trainer;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ImportedBert;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.ptuning.weights.tokenizer.Vocabulary;
import io.ptuning.weights.tokenizer.WordPieceTokenizerJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** A tiny random BERT model folder (40-word vocabulary, 2 layers of width 32): runs on it take seconds. */
public final class TinyModel {

    public static final String NAME = "tiny-bert";
    public static final BertConfig CONFIG = new BertConfig(40, 32, 2, 4, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0, "bert");
    /** The trainer's default trainer.tokenizer-max-length, part of the fingerprint. */
    public static final int MAX_LENGTH = 128;

    private TinyModel() {}

    /** Writes {@code <cache>/tiny-bert} and returns the tokenizer fingerprint batches for it must carry. */
    public static String write(Path cache) {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = tokens.size(); i < CONFIG.vocabSize(); i++) {
            tokens.add("word" + i);
        }
        Vocabulary vocabulary = new Vocabulary(tokens);
        Random random = new Random(7);
        Map<String, HostTensor> tensors = new TreeMap<>();
        BertParameterLayout layout = new BertParameterLayout(CONFIG);
        Map<String, long[]> shapes = new TreeMap<>(layout.encoder());
        shapes.putAll(layout.pooler());
        shapes.forEach((name, shape) -> {
            float[] values = new float[(int) HostTensor.elementCount(shape)];
            boolean layerNormWeight = name.contains("LayerNorm.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = layerNormWeight ? 1f + 0.1f * (float) random.nextGaussian() : 0.2f * (float) random.nextGaussian();
            }
            tensors.put(name, HostTensor.ofFloats(shape, values));
        });
        Path folder = cache.resolve(NAME);
        ModelFolder.write(folder, new ImportedBert(CONFIG, new TreeMap<>(tensors)), Map.of("model", NAME), vocabulary,
                WordPieceTokenizerJson.build(vocabulary, true));
        try (BertTokenizer tokenizer = BertTokenizer.load(folder, MAX_LENGTH)) {
            return tokenizer.fingerprint();
        }
    }
}
