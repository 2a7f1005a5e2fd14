package io.ptuning.deploy;

import static io.ptuning.deploy.PipelineRepository.CHECKPOINT_MESSAGE_BYTES;
import static io.ptuning.deploy.PipelineRepository.IMAGE_TAG;
import static io.ptuning.deploy.PipelineRepository.SERVICE_PORTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.ptuning.contract.kafka.ServiceAcls;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/k8s: every manifest parsed into typed fabric8 / Strimzi objects and checked against the services. */
class KubernetesManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("Deployment", Deployment.class), Map.entry("Service", Service.class),
            Map.entry("ConfigMap", ConfigMap.class), Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("Kafka", Kafka.class), Map.entry("KafkaNodePool", KafkaNodePool.class),
            Map.entry("KafkaTopic", KafkaTopic.class), Map.entry("KafkaUser", KafkaUser.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            // KEDA publishes no Java model: its resources are checked field by field as generic resources.
            Map.entry("ScaledObject", GenericKubernetesResource.class),
            Map.entry("TriggerAuthentication", GenericKubernetesResource.class));
    private static final List<String> SERVICES = List.of("tokenizer-service", "trainer-service", "evaluator-service");

    private static List<HasMetadata> base;

    @BeforeAll
    static void parseBase() throws IOException {
        base = parseFolder(PipelineRepository.file("deploy/k8s/base"));
    }

    @Test
    void everyFileOfTheBaseIsListedInItsKustomization() throws IOException {
        Path dir = PipelineRepository.file("deploy/k8s/base");
        Map<String, Object> kustomization = new Yaml().load(Files.readString(dir.resolve("kustomization.yaml")));
        try (Stream<Path> files = Files.list(dir)) {
            List<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
            assertThat(ComposeFileTest.stringList(kustomization, "resources")).containsExactlyInAnyOrderElementsOf(manifests);
        }
    }

    @Test
    void eachServiceIsADeploymentWithHealthProbesOnItsPort() {
        SERVICE_PORTS.forEach((name, port) -> {
            Container c = container(deployment(base, name));
            assertThat(c.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(port);
            });
            assertProbe(c.getReadinessProbe(), "/q/health/ready");
            assertProbe(c.getLivenessProbe(), "/q/health/live");
            assertProbe(c.getStartupProbe(), "/q/health/started");
            Service service = named(base, Service.class, name);
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(port));
            assertThat(service.getSpec().getSelector()).isEqualTo(deployment(base, name).getSpec().getSelector().getMatchLabels());
        });
    }

    @Test
    void imagesAreTheOnesComposeBuilds() {
        SERVICE_PORTS.keySet().forEach(name -> {
            PodSpec pod = deployment(base, name).getSpec().getTemplate().getSpec();
            assertThat(container(deployment(base, name)).getImage()).isEqualTo("ptuning/" + name + ":" + IMAGE_TAG);
            assertThat(pod.getInitContainers()).singleElement()
                    .satisfies(init -> assertThat(init.getImage()).isEqualTo("ptuning/model-import:" + IMAGE_TAG));
        });
    }

    @Test
    void configComesFromConfigMapsAndKafkaCredentialsFromTheUsersSecrets() {
        ConfigMap config = named(base, ConfigMap.class, "pipeline-config");
        Kafka kafka = single(base, Kafka.class);
        GenericKafkaListener scram = kafka.getSpec().getKafka().getListeners().stream()
                .filter(l -> l.getAuth() != null && "scram-sha-512".equals(l.getAuth().getType()))
                .findFirst().orElseThrow();
        assertThat(config.getData())
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", kafka.getMetadata().getName() + "-kafka-bootstrap:" + scram.getPort())
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("PTUNING_MODEL_CACHE", "/models");
        List<String> users = all(base, KafkaUser.class).stream().map(u -> u.getMetadata().getName()).toList();
        SERVICE_PORTS.keySet().forEach(name -> {
            Deployment d = deployment(base, name);
            Container c = container(d);
            assertThat(c.getEnvFrom()).anySatisfy(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo("pipeline-config"));
            EnvVar jaas = c.getEnv().stream().filter(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst().orElseThrow();
            assertThat(jaas.getValue()).as("no credential inline").isNull();
            assertThat(jaas.getValueFrom().getSecretKeyRef().getName()).isIn(users).isEqualTo(name);
            assertThat(jaas.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("sasl.jaas.config");
            assertThat(d.getSpec().getTemplate().getSpec().getEnableServiceLinks()).as("%s: no KAFKA_* service env vars", name).isFalse();
            assertThat(c.getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("model-cache");
                assertThat(m.getMountPath()).isEqualTo("/models");
            });
        });
        assertThat(all(base, KafkaUser.class)).allSatisfy(u -> assertThat(u.getSpec().getAuthentication().getType()).isEqualTo("scram-sha-512"));
    }

    @Test
    void everyKafkaUsersAclsAreExactlyWhatItsServiceUsesPerItsConfiguration() {
        Properties tokenizer = PipelineRepository.applicationProperties("tokenizer-service").orElseThrow();
        Properties trainer = PipelineRepository.applicationProperties("trainer-service").orElseThrow();
        Properties evaluator = PipelineRepository.applicationProperties("evaluator-service").orElseThrow();
        String dataset = tokenizer.getProperty("tokenizer.dataset.name");
        // Unset keys take the defaults of the services' @ConfigMapping interfaces.
        Map<String, List<AclBinding>> expected = Map.of(
                "tokenizer-service", ServiceAcls.tokenizer(ServiceAcls.user("tokenizer-service"), dataset,
                        tokenizer.getProperty("tokenizer.kafka.transactional-id-prefix", "tokenizer-service.")),
                "trainer-service", ServiceAcls.trainer(ServiceAcls.user("trainer-service"), List.of(dataset),
                        trainer.getProperty("trainer.kafka.state-topic", "ptuning.trainer-state"),
                        trainer.getProperty("trainer.run-queue.group"),
                        trainer.getProperty("trainer.kafka.transactional-id-prefix", "trainer-service.")),
                "evaluator-service", ServiceAcls.evaluator(ServiceAcls.user("evaluator-service"),
                        evaluator.getProperty("evaluator.validation-topic"),
                        evaluator.getProperty("mp.messaging.incoming.checkpoints.group.id")));
        assertThat(all(base, KafkaUser.class)).extracting(u -> u.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        for (KafkaUser user : all(base, KafkaUser.class)) {
            String name = user.getMetadata().getName();
            assertThat(user.getSpec().getAuthorization()).as(name).isInstanceOf(KafkaUserAuthorizationSimple.class);
            List<AclRule> rules = ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls();
            assertThat(rules.stream().flatMap(KubernetesManifestsTest::permissions).toList()).as(name)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected.get(name).stream().map(KubernetesManifestsTest::permission).toList());
        }
    }

    @Test
    void kafkaDeniesByDefaultAndItsScramListenerUsesTlsAndAdmitsOnlyTheServices() {
        Kafka kafka = single(base, Kafka.class);
        assertThat(kafka.getSpec().getKafka().getAuthorization()).isInstanceOf(KafkaAuthorizationSimple.class);
        assertThat(kafka.getSpec().getKafka().getListeners()).isNotEmpty().allSatisfy(listener -> {
            assertThat(listener.isTls()).as(listener.getName()).isTrue();
            assertThat(listener.getAuth()).as(listener.getName()).isNotNull();
            assertThat(listener.getNetworkPolicyPeers()).as(listener.getName()).singleElement()
                    .satisfies(peer -> assertThat(peer.getPodSelector().getMatchExpressions()).singleElement()
                            .satisfies(e -> {
                                assertThat(e.getKey()).isEqualTo("app.kubernetes.io/name");
                                assertThat(e.getOperator()).isEqualTo("In");
                                assertThat(e.getValues()).containsExactlyInAnyOrderElementsOf(SERVICES);
                            }));
        });
        assertThat(named(base, ConfigMap.class, "pipeline-config").getData())
                .containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/ptuning/kafka-ca/ca.crt");
        SERVICES.forEach(name -> assertThat(container(deployment(base, name)).getVolumeMounts()).as(name)
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/ptuning/kafka-ca")));
    }

    @Test
    void aNetworkPolicyAdmitsToTheServicesHttpPortsOnlyLabelledClients() {
        NetworkPolicy policy = named(base, NetworkPolicy.class, "ptuning-services-http");
        assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).singleElement()
                .satisfies(e -> assertThat(e.getValues()).containsExactlyInAnyOrderElementsOf(SERVICES));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
            assertThat(rule.getFrom()).hasSize(2).allSatisfy(peer -> assertThat(peer.getIpBlock()).isNull());
        });
    }

    /** Each operation of a Strimzi ACL rule as {@code type pattern name operation}, in Kafka's words. */
    private static Stream<String> permissions(AclRule rule) {
        AclRuleResource resource = rule.getResource();
        String name;
        String pattern;
        if (resource instanceof AclRuleTopicResource topic) {
            name = topic.getName();
            pattern = topic.getPatternType().toString();
        } else if (resource instanceof AclRuleGroupResource group) {
            name = group.getName();
            pattern = group.getPatternType().toString();
        } else if (resource instanceof AclRuleTransactionalIdResource id) {
            name = id.getName();
            pattern = id.getPatternType().toString();
        } else {
            throw new AssertionError("an ACL on a resource the services do not use: " + resource.getType());
        }
        String type = resource.getType().toLowerCase(java.util.Locale.ROOT);
        String kafkaPattern = pattern.equalsIgnoreCase("prefix") ? "prefixed" : pattern.toLowerCase(java.util.Locale.ROOT);
        return rule.getOperations().stream().map(op -> type + " " + kafkaPattern + " " + name + " "
                + op.toString().toLowerCase(java.util.Locale.ROOT));
    }

    private static String permission(AclBinding binding) {
        return binding.pattern().resourceType().name().toLowerCase(java.util.Locale.ROOT).replace("_", "") + " "
                + binding.pattern().patternType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + binding.pattern().name() + " "
                + binding.entry().operation().name().toLowerCase(java.util.Locale.ROOT).replace("_", "");
    }

    @Test
    void theModelCacheIsASharedVolumeAndTheTokenizerDownloadsSst2IntoItsDataCache() {
        PersistentVolumeClaim cache = named(base, PersistentVolumeClaim.class, "model-cache");
        assertThat(cache.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        PersistentVolumeClaim datasets = named(base, PersistentVolumeClaim.class, "dataset-cache");
        assertThat(datasets.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        Map<String, String> config = named(base, ConfigMap.class, "tokenizer-config").getData();
        assertThat(config).doesNotContainKey("TOKENIZER_DATASET_DIR").containsEntry("PTUNING_DATA_CACHE", "/datasets");
        Deployment tokenizer = deployment(base, "tokenizer-service");
        assertThat(container(tokenizer).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("dataset-cache");
            assertThat(m.getMountPath()).isEqualTo(config.get("PTUNING_DATA_CACHE"));
            assertThat(m.getReadOnly()).as("the tokenizer writes its download there").isNotEqualTo(Boolean.TRUE);
        });
        assertThat(tokenizer.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("dataset-cache");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("dataset-cache");
        });
        assertThat(all(base, PersistentVolumeClaim.class)).noneMatch(p -> p.getMetadata().getName().equals("sst2-data"));
    }

    @Test
    void kafkaTopicsAreTheCatalogsTopicsAsTheCatalogSays() {
        Kafka kafka = single(base, Kafka.class);
        assertThat(kafka.getSpec().getKafka().getConfig()).containsEntry("message.max.bytes", (int) CHECKPOINT_MESSAGE_BYTES);
        assertThat(kafka.getSpec().getKafka().getListeners()).allSatisfy(l -> assertThat(l.getAuth()).isNotNull());
        assertThat(single(base, KafkaNodePool.class).getSpec().getRoles()).hasSize(2);

        Map<String, KafkaTopic> topics = all(base, KafkaTopic.class).stream()
                .collect(Collectors.toMap(t -> t.getSpec().getTopicName(), t -> t, (a, b) -> {
                    throw new AssertionError("topic " + a.getSpec().getTopicName() + " declared twice");
                }, TreeMap::new));
        Map<String, Integer> partitions = new TreeMap<>();
        Map<String, Map<String, String>> configs = new TreeMap<>();
        topics.forEach((name, topic) -> {
            assertThat(topic.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
            partitions.put(name, topic.getSpec().getPartitions());
            configs.put(name, topic.getSpec().getConfig().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
        });
        assertThat(PipelineRepository.catalogDifferences("deploy/k8s/base/kafka-topics.yaml", partitions, configs))
                .as("the Strimzi KafkaTopics against pipeline-contract's TopicCatalog").isEmpty();
        SERVICE_PORTS.keySet().forEach(service -> PipelineRepository.applicationProperties(service).ifPresent(props ->
                assertThat(topics.keySet()).as("topics named in %s/application.properties", service)
                        .containsAll(PipelineRepository.configuredTopics(props))));
    }

    @Test
    void kedaScalesTheTrainersOnTheBacklogOfTheirRunQueueThatTheTrainersExport() {
        Deployment trainer = deployment(base, "trainer-service");
        assertThat(trainer.getSpec().getReplicas()).as("replicas are KEDA's to set").isNull();
        GenericKubernetesResource scaled = named(base, GenericKubernetesResource.class, "trainer-service");
        assertThat(scaled.getKind()).isEqualTo("ScaledObject");
        assertThat(scaled.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        Map<String, Object> spec = scaled.get("spec");
        assertThat(scaled.<String>get("spec", "scaleTargetRef", "name")).isEqualTo(trainer.getMetadata().getName());
        assertThat(spec.get("minReplicaCount")).isEqualTo(1);
        assertThat((Integer) spec.get("maxReplicaCount")).isGreaterThan(1);

        List<Map<String, Object>> triggers = scaled.get("spec", "triggers");
        assertThat(triggers).singleElement().satisfies(trigger -> {
            // KEDA's kafka scaler reads consumer-group offsets; a share group has none.
            assertThat(trigger.get("type")).isEqualTo("prometheus");
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) trigger.get("metadata");
            // The gauge RunQueueBacklog registers (trainer.run.queue.backlog), as Micrometer names it for Prometheus.
            assertThat(metadata).containsEntry("query", "max(trainer_run_queue_backlog)")
                    .containsEntry("threshold", "1")
                    .containsKey("serverAddress");
        });
    }

    @Test
    void onlyTheGpuOverlayGivesTheTrainerAGpuOnAGpuNode() throws IOException {
        assertThat(trainerGpus(base)).isNull();
        Deployment patch = (Deployment) parseFile(PipelineRepository.file("deploy/k8s/overlays/gpu/trainer-gpu.yaml")).get(0);
        assertGpuTrainer(patch);
    }

    @Test
    void renderedOverlaysKeepEveryCheckAndDifferOnlyInTheGpu() throws Exception {
        Assumptions.assumeTrue(ComposeFileTest.onPath("kubectl"),
                "kubectl is not installed: skipping only the rendering of the overlays (kubectl kustomize)");
        List<HasMetadata> cpu = render("cpu");
        List<HasMetadata> gpu = render("gpu");
        assertThat(trainerGpus(cpu)).isNull();
        assertGpuTrainer(deployment(gpu, "trainer-service"));
        for (List<HasMetadata> rendered : List.of(cpu, gpu)) {
            assertThat(rendered).allSatisfy(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("ptuning"));
            SERVICE_PORTS.keySet().forEach(name -> {
                Container c = container(deployment(rendered, name));
                String image = rendered == gpu && name.equals("trainer-service") ? "trainer-service-gpu" : name;
                assertThat(c.getImage()).isEqualTo("ptuning/" + image + ":" + IMAGE_TAG);
                assertProbe(c.getReadinessProbe(), "/q/health/ready");
                assertThat(c.getEnv()).extracting(EnvVar::getName).contains("KAFKA_SASL_JAAS_CONFIG", "QUARKUS_HTTP_PORT");
            });
            assertThat(all(rendered, KafkaTopic.class)).hasSameSizeAs(all(base, KafkaTopic.class));
        }
    }

    private static void assertGpuTrainer(Deployment trainer) {
        PodSpec pod = trainer.getSpec().getTemplate().getSpec();
        Container c = container(trainer);
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(c.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
    }

    private static Quantity trainerGpus(List<HasMetadata> resources) {
        var limits = container(deployment(resources, "trainer-service")).getResources().getLimits();
        return limits == null ? null : limits.get("nvidia.com/gpu");
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static List<HasMetadata> render(String overlay) throws Exception {
        Process process = new ProcessBuilder("kubectl", "kustomize", "deploy/k8s/overlays/" + overlay)
                .directory(PipelineRepository.root().toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", overlay, err).isZero();
        return parseDocuments(new String(out, StandardCharsets.UTF_8), "kustomize " + overlay);
    }

    private static List<HasMetadata> parseFolder(Path dir) throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted().toList()) {
                resources.addAll(parseFile(file));
            }
        }
        return resources;
    }

    private static List<HasMetadata> parseFile(Path file) throws IOException {
        return parseDocuments(Files.readString(file), file.toString());
    }

    /** Each YAML document into the typed class of its kind; an unknown kind fails the test. */
    private static List<HasMetadata> parseDocuments(String yaml, String source) {
        List<HasMetadata> resources = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc == null) {
                continue;
            }
            String kind = String.valueOf(((Map<?, ?>) doc).get("kind"));
            Class<? extends HasMetadata> type = KINDS.get(kind);
            assertThat(type).as("kind %s in %s has a typed model here", kind, source).isNotNull();
            HasMetadata resource = SERIALIZATION.unmarshal(SERIALIZATION.asJson(doc), type);
            assertThat(resource.getMetadata().getName()).as("a %s in %s", kind, source).isNotBlank();
            resources.add(resource);
        }
        return resources;
    }

    private static Deployment deployment(List<HasMetadata> resources, String name) {
        return named(resources, Deployment.class, name);
    }

    private static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).as(deployment.getMetadata().getName()).hasSize(1);
        return containers.get(0);
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T single(List<HasMetadata> resources, Class<T> type) {
        List<T> found = all(resources, type);
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> resources, Class<T> type, String name) {
        return all(resources, type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }
}
