package io.ptuning.tokenizer.publish;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ptuning.contract.Split;
import io.ptuning.weights.batching.BatchingSettings;
import io.ptuning.tokenizer.config.TokenizerServiceConfig;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.dataset.DatasetUnavailableException;
import io.ptuning.weights.dataset.Sst2Resolver;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** The service's publisher: builds the pipeline from configuration, exposes its progress as metrics. */
@ApplicationScoped
public class PublishService {

    private static final Logger LOG = Logger.getLogger(PublishService.class);
    /** The README section that says how to get SST-2; named in errors about a missing dataset. */
    public static final String README_DATASET_SECTION = "tokenizer-service/README.md, section \"Getting SST-2\"";

    private final TokenizerServiceConfig config;
    private final String bootstrapServers;
    private final Map<String, Object> kafkaClientConfig;
    private final MeterRegistry registry;
    private final PublishProgress progress = new PublishProgress();
    private BertTokenizer tokenizer;
    private DatasetPublisher publisher;
    private Path resolvedSst2;

    /**
     * {@code kafkaClientConfig}: every {@code kafka.*} property (env {@code KAFKA_*}) without its prefix, as Quarkus
     * gives it to its own Kafka clients and health check; so {@code kafka.security.protocol},
     * {@code kafka.sasl.jaas.config}, {@code kafka.ssl.keystore.location}... reach this service's clients too.
     */
    public PublishService(TokenizerServiceConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaClientConfig, MeterRegistry registry) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        FunctionCounter.builder("tokenizer.rows.read", progress, PublishProgress::rowsRead)
                .description("dataset rows read and validated").register(registry);
        FunctionCounter.builder("tokenizer.rows.tokenized", progress, PublishProgress::rowsTokenized).register(registry);
        FunctionCounter.builder("tokenizer.batches.sent", progress, PublishProgress::batchesSent)
                .description("batch records handed to the producer (committed or not)").register(registry);
        FunctionCounter.builder("tokenizer.rows.published", progress, PublishProgress::rowsPublished)
                .description("rows in committed dataset versions").register(registry);
        FunctionCounter.builder("tokenizer.batches.published", progress, PublishProgress::batchesPublished).register(registry);
        FunctionCounter.builder("tokenizer.versions.published", progress, PublishProgress::versionsPublished).register(registry);
        FunctionCounter.builder("tokenizer.versions.skipped", progress, PublishProgress::versionsSkipped)
                .description("publishes of a version the topic already held").register(registry);
        Gauge.builder("tokenizer.publish.rows.per.second", progress, PublishProgress::lastRowsPerSecond)
                .description("rows/s of the last publish, file to committed records").register(registry);
        Gauge.builder("tokenizer.publish.padding.ratio", progress, PublishProgress::lastPaddingRatio)
                .description("pad positions / all positions of the last published version").register(registry);
        List<String> splits = config.publishOnStart().orElse(List.of());
        for (String split : splits) {
            publish(Split.fromWireName(split));
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        synchronized (this) {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }

    /** Publishes one split of the configured dataset; blocks until committed (or found already published). */
    public PublishReport publish(Split split) {
        return pipeline().publish(source(split));
    }

    /** Publishes a file as a split of a dataset; for callers that are not driven by configuration (tests). */
    public PublishReport publish(DatasetSource source) {
        return pipeline().publish(source);
    }

    public PublishProgress progress() {
        return progress;
    }

    /** The configured file of {@code split}, failing with the property to set when it is missing. */
    public DatasetSource source(Split split) {
        TokenizerServiceConfig.Dataset dataset = config.dataset();
        String name = switch (split) {
            case TRAIN -> dataset.train();
            case VALIDATION -> dataset.validation();
            case TEST -> dataset.test();
        };
        Path dir = dataset.dir().orElseGet(() -> resolveSst2(dataset.name())).toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new DatasetNotFoundException("dataset folder " + dir + " does not exist: set tokenizer.dataset.dir"
                    + " to the folder holding " + name + " (see " + README_DATASET_SECTION + ")");
        }
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new DatasetNotFoundException("split " + split.wireName() + ": " + file + " does not exist: set"
                    + " tokenizer.dataset." + split.wireName() + " or tokenizer.dataset.dir (see " + README_DATASET_SECTION + ")");
        }
        return new DatasetSource(dataset.name(), split, file);
    }

    /**
     * SST-2 from SST2_DIR or the data cache, downloaded into the cache on first use (progress on stderr); once per
     * service. Only SST-2 is known: another dataset needs {@code tokenizer.dataset.dir}.
     */
    private synchronized Path resolveSst2(String name) {
        if (resolvedSst2 == null) {
            if (!name.equals("sst2")) {
                throw new DatasetNotFoundException("dataset " + name + ": set tokenizer.dataset.dir to its folder"
                        + " (only sst2 is found or downloaded without it; see " + README_DATASET_SECTION + ")");
            }
            try {
                resolvedSst2 = Sst2Resolver.configured().resolve();
            } catch (DatasetUnavailableException e) {
                throw new DatasetNotFoundException(e.getMessage() + "; or set tokenizer.dataset.dir");
            }
            LOG.infof("SST-2 from %s", resolvedSst2);
        }
        return resolvedSst2;
    }

    /** The tokenizer the service publishes with; loaded (and the model imported) on first use. */
    public synchronized BertTokenizer tokenizer() {
        pipeline();
        return tokenizer;
    }

    private synchronized DatasetPublisher pipeline() {
        if (publisher == null) {
            ModelCache cache = config.modelCache()
                    .map(root -> new ModelCache(root, ModelCache.class.getClassLoader(), ModelCache.localMavenRepository()))
                    .orElseGet(ModelCache::configured);
            ModelFolder folder = cache.resolve(config.model());
            tokenizer = BertTokenizer.load(folder.path(), config.maxLength());
            LOG.infof("tokenizer %s from %s, max length %d, fingerprint %s", config.model(), folder.path(),
                    config.maxLength(), tokenizer.fingerprint());
            TokenizerServiceConfig.Batching b = config.batching();
            SplitPreparer preparer = new SplitPreparer(tokenizer, new BatchingSettings(b.batchSize(), b.bucketBatches(), b.seed()));
            TokenizerServiceConfig.Kafka k = config.kafka();
            Map<String, Object> kafka = new HashMap<>(kafkaClientConfig);
            kafka.put("bootstrap.servers", bootstrapServers);
            BatchTopicPublisher topics = new BatchTopicPublisher(kafka, new BatchTopicPublisher.KafkaSettings(
                    k.maxMessageBytes(), k.replicationFactor(), k.transactionTimeout(), k.transactionalIdPrefix()));
            publisher = new DatasetPublisher(preparer, topics, progress);
        }
        return publisher;
    }
}
