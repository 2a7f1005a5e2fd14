package io.ptuning.weights;

import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.Vocabulary;
import io.ptuning.weights.tokenizer.WordPieceTokenizerJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Model folders of tiny BERTs with random weights, written by tests: services and pipelines load them by
 * name from the model cache like any base model, and runs on them take seconds. Shared with the other
 * modules' tests through this module's test-jar.
 */
public final class TinyModelFolders {

    /** 2 layers of width 32 over the real bert-base-uncased vocabulary: real SST-2 text tokenizes as usual. */
    public static final BertConfig REAL_VOCABULARY = new BertConfig(30522, 32, 2, 4, 64, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0, "bert");

    private TinyModelFolders() {}

    /** {@code <model cache>/<name>} with {@link #REAL_VOCABULARY}, written once per cache. */
    public static synchronized ModelFolder withRealVocabulary(ModelCache cache, String name, long seed) {
        Path folder = cache.root().resolve(name);
        if (Files.isDirectory(folder)) {
            return ModelFolder.open(folder);
        }
        ModelFolder miniLm = ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2);
        try {
            return write(folder, REAL_VOCABULARY, miniLm.vocabulary(), Files.readAllBytes(miniLm.tokenizerJson()), seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <model cache>/<name>} over {@code tokens} (special tokens first), written once per cache. */
    public static synchronized ModelFolder withVocabulary(ModelCache cache, String name, List<String> tokens,
            int maxPositions, long seed) {
        Path folder = cache.root().resolve(name);
        if (Files.isDirectory(folder)) {
            return ModelFolder.open(folder);
        }
        BertConfig config = new BertConfig(tokens.size(), 32, 2, 4, 64, "gelu", 0.1, 0.1, maxPositions, 2, 1e-12, 0, "bert");
        Vocabulary vocabulary = new Vocabulary(tokens);
        return write(folder, config, vocabulary, WordPieceTokenizerJson.build(vocabulary, true), seed);
    }

    /** Writes a BERT with a pooler and random weights; the same seed gives the same bytes. */
    public static ModelFolder write(Path folder, BertConfig config, Vocabulary vocabulary, byte[] tokenizerJson, long seed) {
        return ModelFolder.write(folder, new ImportedBert(config, randomWeights(config, seed, true)),
                Map.of("model", folder.getFileName().toString()), vocabulary, tokenizerJson);
    }

    /** Random encoder (and pooler) tensors: N(0, 0.2) weights, LayerNorm scales near 1; same seed, same values. */
    public static SortedMap<String, HostTensor> randomWeights(BertConfig config, long seed, boolean pooler) {
        Random random = new Random(seed);
        BertParameterLayout layout = new BertParameterLayout(config);
        SortedMap<String, long[]> shapes = new TreeMap<>(layout.encoder());
        if (pooler) {
            shapes.putAll(layout.pooler());
        }
        SortedMap<String, HostTensor> tensors = new TreeMap<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[(int) HostTensor.elementCount(shape)];
            boolean layerNormWeight = name.contains("LayerNorm.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = layerNormWeight ? 1f + 0.1f * (float) random.nextGaussian() : 0.2f * (float) random.nextGaussian();
            }
            tensors.put(name, HostTensor.ofFloats(shape, values));
        });
        return tensors;
    }
}
