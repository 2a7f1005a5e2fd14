package io.ptuning.deploy;

import static io.ptuning.deploy.PipelineRepository.CHECKPOINT_MESSAGE_BYTES;
import static io.ptuning.deploy.PipelineRepository.IMAGE_TAG;
import static io.ptuning.deploy.PipelineRepository.SERVICE_PORTS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml: what a laptop user runs. Parsed as YAML (anchors and merge keys resolved) and checked. */
class ComposeFileTest {

    /** {@code create <topic> <partitions> [<config>...]} lines of the kafka-topics service. */
    private static final Pattern CREATE = Pattern.compile("(?m)^\\s*create (\\S+) (\\d+)((?: \\S+=\\S+)*)\\s*$");

    private static Map<String, Object> compose;
    private static Map<String, Object> services;

    @BeforeAll
    static void parse() throws IOException {
        compose = load("docker-compose.yml");
        services = map(compose, "services");
    }

    /** A Compose file as YAML; Compose's merge tags ({@code !reset}, {@code !override}) read as the value they tag. */
    static Map<String, Object> load(String file) throws IOException {
        String text = Files.readString(PipelineRepository.file(file)).replaceAll("!(reset|override)\\s", "");
        return new Yaml().load(text);
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        Assumptions.assumeTrue(onPath("docker-compose"), "docker-compose is not installed (apt-get install -y"
                + " docker-compose): skipping only its `config -q` check; the YAML checks in this class still run");
        Process process = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
                .directory(PipelineRepository.root().toFile()).redirectErrorStream(true).start();
        boolean done = process.waitFor(120, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as("docker-compose config finished").isTrue();
        assertThat(process.exitValue()).as("docker-compose config -q exit status; output:%n%s", output).isZero();
    }

    @Test
    void dockerComposeAcceptsTheFileWithTheMountedSst2Folder() throws Exception {
        Assumptions.assumeTrue(onPath("docker-compose"), "docker-compose is not installed: skipping its `config -q` check");
        ProcessBuilder builder = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "-f",
                "deploy/compose/sst2-dir.yml", "config", "-q")
                .directory(PipelineRepository.root().toFile()).redirectErrorStream(true);
        builder.environment().put("SST2_DIR", "/tmp/sst2");
        Process process = builder.start();
        boolean done = process.waitFor(120, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as("docker-compose config finished").isTrue();
        assertThat(process.exitValue()).as("docker-compose config -q exit status; output:%n%s", output).isZero();
    }

    @Test
    void kafkaRunsInKraftModeFromTheOfficialImageWithSixteenMebibyteMessages() {
        Map<String, Object> kafka = map(services, "kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        Map<String, Object> env = map(kafka, "environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS").doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(Long.parseLong(env.get("KAFKA_MESSAGE_MAX_BYTES").toString())).isEqualTo(CHECKPOINT_MESSAGE_BYTES);
        assertThat(Long.parseLong(env.get("KAFKA_REPLICA_FETCH_MAX_BYTES").toString())).isEqualTo(CHECKPOINT_MESSAGE_BYTES);
        assertThat(healthCommand(kafka)).contains("--bootstrap-server localhost:9092");
    }

    @Test
    void createsEveryTopicOfTheCatalogAsTheCatalogSays() {
        Map<String, TopicSpec> topics = composeTopics();
        Map<String, Integer> partitions = new LinkedHashMap<>();
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        topics.forEach((name, topic) -> {
            partitions.put(name, topic.partitions());
            configs.put(name, topic.configs());
        });

        assertThat(PipelineRepository.catalogDifferences("docker-compose.yml (kafka-topics)", partitions, configs))
                .as("docker-compose.yml's kafka-topics lines against pipeline-contract's TopicCatalog").isEmpty();
    }

    @Test
    void topicsTheServicesConfigureAreCreated() {
        Map<String, TopicSpec> topics = composeTopics();
        for (String service : SERVICE_PORTS.keySet()) {
            PipelineRepository.applicationProperties(service).ifPresent(props ->
                    assertThat(topics.keySet()).as("topics named in %s/application.properties", service)
                            .containsAll(PipelineRepository.configuredTopics(props)));
        }
        Properties tokenizer = PipelineRepository.applicationProperties("tokenizer-service").orElseThrow();
        assertThat(tokenizer.getProperty("tokenizer.dataset.name")).isEqualTo(PipelineRepository.DATASET);
    }

    @Test
    void everyServiceHasAReadinessHealthCheckOnItsOwnPort() {
        SERVICE_PORTS.forEach((name, port) -> {
            Map<String, Object> service = map(services, name);
            assertThat(healthCommand(service)).as(name).contains("http://localhost:" + port + "/q/health/ready");
            String bind = "${PTUNING_BIND_ADDRESS:-127.0.0.1}:";
            // The trainer scales (--scale trainer-service=3): Docker picks each replica's host port.
            assertThat(stringList(service, "ports")).as(name)
                    .contains(name.equals("trainer-service") ? bind + ":" + port : bind + port + ":" + port);
            PipelineRepository.applicationProperties(name).map(p -> p.getProperty("quarkus.http.port"))
                    .ifPresent(configured -> assertThat(Integer.parseInt(configured)).as("%s quarkus.http.port", name).isEqualTo(port));
        });
    }

    @Test
    void theTrainerScalesWithoutAFixedContainerNameOrHostPort() {
        Map<String, Object> trainer = map(services, "trainer-service");

        assertThat(trainer).as("--scale trainer-service=3 needs a name per container").doesNotContainKey("container_name");
        // IP::CONTAINER_PORT: Docker picks a free host port for each replica.
        assertThat(stringList(trainer, "ports")).as("a free host port per container").allSatisfy(port ->
                assertThat(port).matches("\\$\\{PTUNING_BIND_ADDRESS:-127\\.0\\.0\\.1\\}::\\d+"));
    }

    @Test
    void theTrainerReservesOneNvidiaGpu() {
        Map<String, Object> trainer = map(services, "trainer-service");
        List<Map<String, Object>> devices = list(map(map(map(trainer, "deploy"), "resources"), "reservations"), "devices");

        assertThat(devices).hasSize(1);
        assertThat(devices.get(0)).containsEntry("driver", "nvidia").containsEntry("count", 1);
        assertThat(stringList(devices.get(0), "capabilities")).contains("gpu");
        assertThat(map(services, "tokenizer-service")).doesNotContainKey("deploy");
        assertThat(map(services, "evaluator-service")).doesNotContainKey("deploy");
    }

    @Test
    void servicesShareTheModelCacheVolume() {
        SERVICE_PORTS.keySet().forEach(name -> {
            Map<String, Object> service = map(services, name);
            assertThat(stringList(service, "volumes")).as(name).contains("model-cache:/models");
            assertThat(map(service, "environment")).as(name)
                    .containsEntry("PTUNING_MODEL_CACHE", "/models")
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
            assertThat(map(map(service, "depends_on"), "kafka-topics")).containsEntry("condition", "service_completed_successfully");
            assertThat(map(map(service, "depends_on"), "model-import")).containsEntry("condition", "service_completed_successfully");
        });
        assertThat(stringList(map(services, "model-import"), "volumes")).contains("model-cache:/models");
    }

    @Test
    void theTokenizerDownloadsSst2IntoACacheVolumeOrReadsAMountedFolder() throws IOException {
        Map<String, Object> tokenizer = map(services, "tokenizer-service");
        Map<String, Object> env = map(tokenizer, "environment");
        assertThat(env).as("no fixed folder: the tokenizer resolves SST-2 itself")
                .doesNotContainKey("TOKENIZER_DATASET_DIR").doesNotContainKey("SST2_DIR")
                .containsEntry("PTUNING_DATA_CACHE", "/datasets");
        assertThat(stringList(tokenizer, "volumes")).contains("dataset-cache:/datasets").noneMatch(v -> v.endsWith(":ro"));
        assertThat(map(compose, "volumes")).containsKey("dataset-cache");

        Map<String, Object> mounted = map(map(load("deploy/compose/sst2-dir.yml"), "services"), "tokenizer-service");
        String dir = (String) map(mounted, "environment").get("SST2_DIR");
        assertThat(dir).isEqualTo("/data/sst2");
        assertThat(stringList(mounted, "volumes")).singleElement()
                .satisfies(v -> assertThat(v).startsWith("${SST2_DIR:?").endsWith(":" + dir + ":ro"));
    }

    @Test
    void everyPublishedPortIsBoundToLoopbackUnlessPtuningBindAddressSaysOtherwise() {
        for (Map.Entry<String, Object> entry : services.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> service = (Map<String, Object>) entry.getValue();
            if (service.containsKey("ports")) {
                assertThat(stringList(service, "ports")).as(entry.getKey())
                        .allSatisfy(p -> assertThat(p).startsWith("${PTUNING_BIND_ADDRESS:-127.0.0.1}:"));
            }
        }
        assertThat(stringList(map(services, "kafka"), "ports")).containsExactly("${PTUNING_BIND_ADDRESS:-127.0.0.1}:29092:29092");
    }

    @Test
    void theHttpUsersOverlayGivesEveryServiceTheSameUsersFile() throws IOException {
        Map<String, Object> overlay = map(load("deploy/compose/http-users.yml"), "services");
        SERVICE_PORTS.keySet().forEach(name -> {
            Map<String, Object> service = map(overlay, name);
            assertThat(map(service, "environment")).as(name)
                    .containsEntry("QUARKUS_CONFIG_LOCATIONS", "file:/run/ptuning/http-users.properties");
            assertThat(stringList(service, "volumes")).as(name).singleElement().satisfies(v -> assertThat(v)
                    .startsWith("${HTTP_USERS:?").endsWith(":/run/ptuning/http-users.properties:ro"));
        });
    }

    @Test
    void servicesAreBuiltFromTheirDockerfilesIntoTheImagesKubernetesRuns() {
        SERVICE_PORTS.keySet().forEach(name -> {
            Map<String, Object> service = map(services, name);
            // The trainer reserves a GPU here, so Compose builds its GPU image (GpuImageTest); cpu.yml the CPU one.
            String image = name.equals("trainer-service") ? "trainer-service-gpu" : name;
            assertThat(service.get("image")).isEqualTo("ptuning/" + image + ":" + IMAGE_TAG);
            Map<String, Object> build = map(service, "build");
            Path dockerfile = PipelineRepository.root().resolve((String) build.get("context")).resolve((String) build.get("dockerfile"));
            assertThat(dockerfile).as(name).isRegularFile();
        });
    }

    @Test
    void noSecretIsWrittenIntoTheFile() throws IOException {
        String text = Files.readString(PipelineRepository.file("docker-compose.yml")).toLowerCase();
        assertThat(text).doesNotContainPattern("password\\s*=").doesNotContain("scramloginmodule required");
    }

    record TopicSpec(int partitions, Map<String, String> configs) {
    }

    static Map<String, TopicSpec> composeTopics() {
        Map<String, Object> creator = map(services, "kafka-topics");
        String script = String.join("\n", stringList(creator, "command"));
        Map<String, TopicSpec> topics = new LinkedHashMap<>();
        Matcher m = CREATE.matcher(script);
        while (m.find()) {
            Map<String, String> configs = new LinkedHashMap<>();
            Arrays.stream(m.group(3).trim().split(" ")).filter(s -> !s.isEmpty())
                    .forEach(kv -> configs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
            assertThat(topics.put(m.group(1), new TopicSpec(Integer.parseInt(m.group(2)), configs)))
                    .as("topic %s created twice", m.group(1)).isNull();
        }
        return topics;
    }

    private static String healthCommand(Map<String, Object> service) {
        return String.join(" ", stringList(map(service, "healthcheck"), "test"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("'%s' in %s", key, parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        return (List<Map<String, Object>>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<String> stringList(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("'%s' in %s", key, parent.keySet()).isInstanceOf(List.class);
        return ((List<Object>) value).stream().map(String::valueOf).toList();
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(java.io.File.pathSeparator)).anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
