package io.ptuning.evaluator;

import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.contract.BatchMetadata;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Split;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny BERT with random weights and a small WordPiece vocabulary, written as a real model folder into the
 * configured model cache, so that the service loads it by name like any base model. Scoring takes milliseconds.
 */
final class TinyModel {

    static final String NAME = "tiny-bert-evaluator-test";
    static final List<String> TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "great", "fine",
            "wonderful", "bad", "awful", "dull", "boring", "movie", "film", "the", "a", "is", "was", "not", "very",
            "plot", "acting", "and", "but", "story");
    static final BertConfig CONFIG = new BertConfig(TOKENS.size(), 32, 2, 4, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0, "bert");

    private TinyModel() {
    }

    /** The folder in the model cache, written once per cache (same seed, same bytes). */
    static ModelFolder folder() {
        return TinyModelFolders.withVocabulary(ModelCache.configured(), NAME, TOKENS, CONFIG.maxPositionEmbeddings(), 11);
    }

    static String tokenizerFingerprint() {
        try (BertTokenizer tokenizer = BertTokenizer.load(folder().path(), 128)) {
            return tokenizer.fingerprint();
        }
    }

    static BertEncoder encoder(NDManager manager) {
        return new BertEncoder(BertWeights.load(folder().path(), manager));
    }

    /** A labelled validation split of {@code batches} batches of random word sequences; label 1 when "good" occurs. */
    static List<EncodedBatch> validationSplit(String version, int batches, int batchSize, long seed) {
        Random random = new Random(seed);
        String fingerprint = tokenizerFingerprint();
        List<EncodedBatch> split = new ArrayList<>();
        int example = 0;
        for (int b = 0; b < batches; b++) {
            int length = 4 + random.nextInt(8);
            long[] ids = new long[batchSize * length];
            long[] mask = new long[batchSize * length];
            long[] labels = new long[batchSize];
            long[] exampleIds = new long[batchSize];
            for (int i = 0; i < batchSize; i++) {
                int real = 3 + random.nextInt(length - 2);
                ids[i * length] = 2; // [CLS]
                for (int t = 1; t < real - 1; t++) {
                    ids[i * length + t] = 5 + random.nextInt(TOKENS.size() - 5);
                    labels[i] |= ids[i * length + t] == 5 ? 1 : 0;
                }
                ids[i * length + real - 1] = 3; // [SEP]
                for (int t = 0; t < real; t++) {
                    mask[i * length + t] = 1;
                }
                exampleIds[i] = example++;
            }
            split.add(new EncodedBatch(BatchMetadata.of("sst2", version, Split.VALIDATION, b, batches, fingerprint),
                    batchSize, length, ids, mask, labels, exampleIds));
        }
        return split;
    }

    /** A freshly initialised prefix model's checkpoint bytes, as the trainer publishes them. */
    static byte[] checkpoint(String runId, long step, int seed, PromptConfig config) {
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = encoder(manager);
            try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, seed, manager)) {
                return model.checkpoint(metadata(runId, step).toMap()).encode();
            }
        }
    }

    static CheckpointMetadata metadata(String runId, long step) {
        return new CheckpointMetadata(CheckpointMetadata.SCHEMA_VERSION, runId, step, 0, 100, false, NAME,
                "sst2.batches.train", "tiny-train", tokenizerFingerprint(), "float32");
    }
}
