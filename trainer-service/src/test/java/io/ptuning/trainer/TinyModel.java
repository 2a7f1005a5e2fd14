package io.ptuning.trainer;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.ptuning.weights.tokenizer.Vocabulary;
import io.ptuning.weights.tokenizer.WordPieceTokenizerJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        Path folder = TinyModelFolders.write(cache.resolve(NAME), CONFIG, new Vocabulary(tokens),
                WordPieceTokenizerJson.build(new Vocabulary(tokens), true), 7).path();
        try (BertTokenizer tokenizer = BertTokenizer.load(folder, MAX_LENGTH)) {
            return tokenizer.fingerprint();
        }
    }
}
