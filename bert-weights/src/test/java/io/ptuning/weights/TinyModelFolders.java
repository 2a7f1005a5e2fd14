package io.ptuning.weights;

import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Model folders of a tiny BERT (2 layers, hidden 32) with random weights and the real bert-base-uncased
 * vocabulary and tokenizer: services and pipelines run on real SST-2 text in seconds. Shared with other
 * modules' tests through this module's test-jar.
 */
public final class TinyModelFolders {

    public static final BertConfig CONFIG = new BertConfig(30522, 32, 2, 4, 64, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0, "bert");

    private TinyModelFolders() {}

    /** The folder {@code <model cache>/<name>}, written once per cache. */
    public static ModelFolder inCache(ModelCache cache, String name, long seed) {
        Path folder = cache.root().resolve(name);
        synchronized (TinyModelFolders.class) {
            return Files.isDirectory(folder) ? ModelFolder.open(folder) : write(folder, seed);
        }
    }

    /** Writes a tiny random BERT with a pooler into {@code folder}; the same seed gives the same bytes. */
    public static ModelFolder write(Path folder, long seed) {
        ModelFolder miniLm = ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2);
        Random random = new Random(seed);
        BertParameterLayout layout = new BertParameterLayout(CONFIG);
        SortedMap<String, long[]> shapes = new TreeMap<>(layout.encoder());
        shapes.putAll(layout.pooler());
        SortedMap<String, HostTensor> tensors = new TreeMap<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[(int) HostTensor.elementCount(shape)];
            boolean scale = name.endsWith("LayerNorm.weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = scale ? 1f : 0.2f * (float) random.nextGaussian();
            }
            tensors.put(name, HostTensor.ofFloats(shape, values));
        });
        try {
            return ModelFolder.write(folder, new ImportedBert(CONFIG, tensors), Map.of("model", folder.getFileName().toString()),
                    miniLm.vocabulary(), Files.readAllBytes(miniLm.tokenizerJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
