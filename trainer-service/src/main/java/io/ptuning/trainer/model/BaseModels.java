package io.ptuning.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.util.HashMap;
import java.util.Map;

/**
 * Frozen base models, loaded once per process and device: every run on a model shares its encoder (runs never
 * write to it). A name is a folder of the model cache ({@code <cache>/<name>}, any Hugging Face BERT folder), else
 * one of the {@link ModelArtifact}s, imported into the cache on first use.
 */
public final class BaseModels implements AutoCloseable {

    /** A loaded model and the fingerprint of the tokenizer its batches must have been made with. */
    public record LoadedModel(String name, BertEncoder encoder, String tokenizerFingerprint, NDManager manager) {}

    private final ModelCache cache;
    private final int tokenizerMaxLength;
    private final Map<String, LoadedModel> loaded = new HashMap<>();

    public BaseModels(ModelCache cache, int tokenizerMaxLength) {
        this.cache = cache;
        this.tokenizerMaxLength = tokenizerMaxLength;
    }

    public synchronized LoadedModel get(String name, Device device) {
        return loaded.computeIfAbsent(name + "@" + device, key -> load(name, device));
    }

    private LoadedModel load(String name, Device device) {
        ModelFolder folder = folder(name);
        String fingerprint;
        // The tokenizer-service's fingerprint: tokenizer.json bytes and the length limit (BertTokenizer#fingerprint).
        try (BertTokenizer tokenizer = BertTokenizer.load(folder.path(), tokenizerMaxLength)) {
            fingerprint = tokenizer.fingerprint();
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            return new LoadedModel(name, encoder, fingerprint, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private ModelFolder folder(String name) {
        return cache.resolve(name);
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(model -> model.manager().close());
        loaded.clear();
    }
}
