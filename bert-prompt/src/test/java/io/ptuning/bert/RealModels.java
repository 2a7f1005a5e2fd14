package io.ptuning.bert;

import ai.djl.ndarray.NDManager;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Real pretrained models from their Maven artifacts (imported once into the build's model cache), and SST-2. */
public final class RealModels {

    private RealModels() {}

    public static ModelFolder miniLm() {
        return ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2);
    }

    public static ModelFolder bertBaseUncased() {
        return ModelCache.configured().resolve(ModelArtifact.BERT_BASE_UNCASED);
    }

    public static BertEncoder load(ModelFolder folder, NDManager manager) {
        return new BertEncoder(BertWeights.load(folder.path(), manager));
    }

    /** The sentences of SST-2's dev split, in file order. */
    public static List<String> sst2DevSentences() {
        Path dev = Path.of(System.getProperty("sst2.dir", "../../shared/data/sst2")).resolve("dev.tsv");
        try {
            return Files.readAllLines(dev).stream().skip(1).map(line -> line.substring(0, line.lastIndexOf('\t'))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("SST-2 dev split not readable at " + dev + " (set -Dsst2.dir)", e);
        }
    }
}
