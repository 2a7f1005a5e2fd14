package io.ptuning.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Frozen base models by name, each loaded once per process and device. A name is a folder of the model cache
 * ({@code <cache>/<name>}, any Hugging Face BERT folder), else one of the {@link ModelArtifact}s, imported into the
 * cache on first use.
 */
public final class BaseModels implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]*");

    private final ModelCache cache;
    private final Map<String, BaseModel> loaded = new HashMap<>();

    public BaseModels(ModelCache cache) {
        this.cache = cache;
    }

    /**
     * The model called {@code name} on {@code device}.
     *
     * @throws IllegalArgumentException saying what was looked for where, when the name is no model name or the model
     *     cannot be found, imported or loaded
     */
    public synchronized BaseModel get(String name, Device device) {
        BaseModel model = loaded.get(name + "@" + device);
        if (model == null) {
            model = load(name, device);
            loaded.put(name + "@" + device, model);
        }
        return model;
    }

    private BaseModel load(String name, Device device) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("base_model '" + name + "' is not a model name");
        }
        ModelFolder folder;
        try {
            folder = cache.resolve(name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("base model '" + name + "' cannot be found or imported in the model cache "
                    + cache.root() + ": " + e.getMessage(), e);
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new BaseModel(name, folder, new BertEncoder(BertWeights.load(folder.path(), manager)), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("base model '" + name + "' at " + folder.path() + " cannot be loaded: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(BaseModel::close);
        loaded.clear();
    }
}
