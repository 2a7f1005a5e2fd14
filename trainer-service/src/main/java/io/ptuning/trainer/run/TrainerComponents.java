package io.ptuning.trainer.run;

import ai.djl.Device;
import io.ptuning.bert.BaseModels;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.trainer.admission.BatchTopicCatalog;
import io.ptuning.trainer.admission.RunRequestCheck;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.ptuning.trainer.checkpoint.TrainerStateStore;
import io.ptuning.trainer.config.TrainerConfig;
import io.ptuning.trainer.kafka.KafkaClients;
import io.ptuning.trainer.kafka.TopicSetup;
import io.ptuning.trainer.model.DeviceChoice;
import io.ptuning.weights.cache.ModelCache;
import io.quarkus.runtime.StartupEvent;
import io.ptuning.contract.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.interceptor.Interceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

/**
 * Builds the plain-Java run machinery from the validated configuration, once per application, and creates the
 * trainer's topics at start-up (before any run needs them).
 */
@ApplicationScoped
public class TrainerComponents {

    private static final Logger LOG = Logger.getLogger(TrainerComponents.class);

    @Inject
    TrainerConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaDefaults;

    private RunSettings settings;
    private KafkaClients clients;
    private KafkaProducer<String, byte[]> producer;
    private BaseModels models;
    private RunRequestCheck requestCheck;

    /**
     * Before the messaging channels start (their priority is {@code LIBRARY_BEFORE}): a consumer that subscribed to
     * a missing {@code ptuning.runs} first would leave it to the broker's defaults, one partition, so one trainer.
     */
    void createTopics(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        new TopicSetup(settings()).createTrainerTopics();
    }

    /**
     * Settles the process's matmul precision on the devices runs train on by default, and says which it is, once
     * (a run on other devices settles those when it starts).
     */
    void logMatmulPrecision(@Observes StartupEvent started) {
        List<Device> devices;
        try {
            devices = DeviceChoice.resolve("auto", config.device());
        } catch (IllegalArgumentException noGpu) {
            devices = List.of(Device.cpu());
        }
        devices.forEach(MatmulPrecision::settle);
        LOG.infof("matmul precision %s", MatmulPrecision.inForce().describe());
    }

    public synchronized RunSettings settings() {
        if (settings == null) {
            // Only the connection settings of the default broker config: the run clients set their own serdes.
            Map<String, Object> kafka = KafkaConnection.settings(kafkaDefaults);
            TrainerConfig.Kafka k = config.kafka();
            settings = new RunSettings(kafka, config.device(), config.cpuReplicas(), config.tokenizerMaxLength(), config.batchCacheMaxBytes(),
                    k.maxMessageBytes(), k.replicationFactor(), k.runsPartitions(), k.stateTopic(),
                    k.transactionalIdPrefix(), k.transactionTimeout());
        }
        return settings;
    }

    public synchronized KafkaClients clients() {
        if (clients == null) {
            clients = new KafkaClients(settings());
        }
        return clients;
    }

    /** One idempotent producer for metric events, dead letters and run requests (thread-safe). */
    public synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = clients().producer();
        }
        return producer;
    }

    public synchronized BaseModels models() {
        if (models == null) {
            models = new BaseModels(modelCache());
        }
        return models;
    }

    private ModelCache modelCache() {
        return config.modelCache()
                .map(root -> new ModelCache(root, ModelCache.class.getClassLoader(), ModelCache.localMavenRepository()))
                .orElseGet(ModelCache::configured);
    }

    /** The checks every run request meets before it is queued (REST) or trained (Kafka). */
    public synchronized RunRequestCheck requestCheck() {
        if (requestCheck == null) {
            requestCheck = new RunRequestCheck(modelCache()::knows, new BatchTopicCatalog(clients())::problems);
        }
        return requestCheck;
    }

    /** An executor reporting to {@code observer}; the service's own is built by {@code RunService}. */
    public RunExecutor executor(RunObserver observer) {
        KafkaClients kafka = clients();
        TopicSetup topics = new TopicSetup(settings());
        BatchRangeReader reader = new BatchRangeReader(kafka, new DeadLetterPublisher(producer(), topics),
                settings().batchCacheMaxBytes());
        return new RunExecutor(kafka, models(), reader, new TrainerStateStore(kafka, settings().stateTopic()),
                new TrainMetricPublisher(producer()), observer);
    }

    @Produces
    @Singleton
    DeadLetterPublisher deadLetters() {
        return new DeadLetterPublisher(producer(), new TopicSetup(settings()));
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
        if (models != null) {
            models.close();
        }
    }
}
