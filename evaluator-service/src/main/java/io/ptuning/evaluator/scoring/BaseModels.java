package io.ptuning.evaluator.scoring;

import ai.djl.Device;
import io.ptuning.bert.BaseModel;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.weights.cache.ModelCache;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The frozen base models checkpoints name in {@code base_model}, loaded on the CPU by the model library
 * ({@link io.ptuning.bert.BaseModels}); a model that cannot be had rejects the checkpoint with the library's reason.
 */
@ApplicationScoped
public class BaseModels {

    private static final Logger LOG = Logger.getLogger(BaseModels.class);

    private final io.ptuning.bert.BaseModels models;

    BaseModels(EvaluatorConfig config) {
        this.models = new io.ptuning.bert.BaseModels(config.modelCache()
                .map(root -> new ModelCache(root.toAbsolutePath(), ModelCache.class.getClassLoader(),
                        ModelCache.localMavenRepository()))
                .orElseGet(ModelCache::configured));
    }

    /** Settles the process's matmul precision on the CPU the models score on, and says which it is, once. */
    void logMatmulPrecision(@Observes StartupEvent started) {
        LOG.infof("matmul precision %s", MatmulPrecision.settle(Device.cpu()).describe());
    }

    /** The loaded model called {@code name}; fails with {@link CheckpointRejected} saying where it was looked for. */
    public BaseModel get(String name) {
        try {
            return models.get(name, Device.cpu());
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejected(e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        models.close();
    }
}
