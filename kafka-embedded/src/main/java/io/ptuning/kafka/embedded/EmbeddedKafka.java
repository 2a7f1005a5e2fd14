package io.ptuning.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.SupportedVersionRange;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Apache Kafka broker in this JVM: KRaft, one node that is both broker and controller, listening on
 * 127.0.0.1 only, its logs under a data folder.
 *
 * <p>The folder is formatted the first time ({@code kafka-storage format --standalone}); the chosen ports and
 * cluster id are kept in {@value #STATE_FILE} beside the logs so that a restart on the same folder finds its
 * topics again; a SCRAM broker keeps its own password there too ({@code broker-login.properties}, mode 600), as
 * its credential is written only when the folder is formatted. Limits are set for the pipeline: 16 MiB messages,
 * replication factor 1 for the internal topics so that transactions, consumer groups and share groups work on one
 * node, share groups enabled (the trainers' run queue), and consumer groups' offsets kept for as long as the records.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Largest record the broker accepts; producers of batch and checkpoint records stay below it. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /** The one SASL mechanism a {@linkplain #startWithScram SCRAM broker} enables. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    /** The broker's own SCRAM user on its SASL listener (inter-broker traffic, e.g. transaction markers). */
    static final String BROKER_USER = "embedded-broker";

    private static final String SHARE_VERSION = "share.version";
    private static final String METADATA_VERSION = "metadata.version";
    static final String STATE_FILE = "embedded-kafka.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    /** Security settings a client needs besides bootstrap.servers (empty for PLAINTEXT). */
    private final Map<String, Object> adminSecurity;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, Map<String, Object> adminSecurity) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.adminSecurity = Map.copyOf(adminSecurity);
    }

    /** Starts a broker whose logs live under {@code dataDir} (created if absent) and waits until it serves. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /**
     * Starts a broker with extra broker settings ({@code overrides} win over the defaults here), and waits
     * until a client can reach it.
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Map.of());
    }

    /**
     * Starts a broker whose only client listener is {@code SASL_PLAINTEXT} with {@value #SCRAM_MECHANISM}: a
     * client must log in as one of {@code users} (name to password), as a service does in production with
     * {@code kafka.security.protocol}, {@code kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}. The SCRAM
     * credentials are written when the folder is formatted ({@code kafka-storage format --add-scram}), so they
     * exist before the broker takes its first request. No authorizer: any authenticated user may do anything.
     */
    public static EmbeddedKafka startWithScram(Path dataDir, Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SCRAM broker needs at least one user");
        }
        String brokerPassword = BrokerLogin.keptIn(dataDir.toAbsolutePath()).password();
        Map<String, String> credentials = new HashMap<>(users);
        credentials.put(BROKER_USER, brokerPassword);
        Map<String, String> sasl = new HashMap<>();
        sasl.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        sasl.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        sasl.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", jaasConfig(BROKER_USER, brokerPassword));
        return start(dataDir, sasl, credentials);
    }

    /**
     * A {@linkplain #startWithScram SCRAM broker} that authorizes every request with KRaft's {@code StandardAuthorizer}
     * and denies by default: {@code acls} (e.g. {@code ServiceAcls}) are all any of {@code users} may do. The broker's
     * own user is the one super user on the SASL listener; the controller listener (loopback, broker to controller
     * only) is PLAINTEXT, so its anonymous principal is a super user too.
     */
    public static EmbeddedKafka startWithAcls(Path dataDir, Map<String, String> users, Collection<AclBinding> acls) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SCRAM broker needs at least one user");
        }
        String brokerPassword = BrokerLogin.keptIn(dataDir.toAbsolutePath()).password();
        Map<String, String> credentials = new HashMap<>(users);
        credentials.put(BROKER_USER, brokerPassword);
        Map<String, String> settings = new HashMap<>();
        settings.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        settings.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        settings.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", jaasConfig(BROKER_USER, brokerPassword));
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        settings.put("allow.everyone.if.no.acl.found", "false");
        settings.put("super.users", "User:" + BROKER_USER + ";User:ANONYMOUS");
        settings.put("auto.create.topics.enable", "false");
        EmbeddedKafka kafka = start(dataDir, settings, credentials);
        try {
            kafka.createAcls(acls);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** Adds {@code acls} as the broker's own user, and waits until the broker applies them. */
    public void createAcls(Collection<AclBinding> acls) {
        Properties props = new Properties();
        props.putAll(adminSecurity);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < acls.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker at " + bootstrapServers + " did not apply "
                            + acls.size() + " ACLs within " + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create ACLs on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        }
    }

    /**
     * The client properties that log in to a {@linkplain #startWithScram SCRAM broker} as {@code user}: the same
     * keys a service reads from {@code kafka.*} configuration (env {@code KAFKA_SECURITY_PROTOCOL},
     * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}).
     */
    public static Map<String, Object> scramClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM_MECHANISM,
                "sasl.jaas.config", jaasConfig(user, password));
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static EmbeddedKafka start(Path dataDir, Map<String, String> overrides, Map<String, String> scramUsers) {
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
            OwnerOnlyFiles.restrict(dir.resolve("server.properties")); // 644 in folders of earlier versions
            NodeState state = NodeState.loadOrCreate(dir.resolve(STATE_FILE));
            Properties props = scramUsers.isEmpty() ? brokerProperties(dir, state) : scramBrokerProperties(dir, state);
            props.putAll(overrides);
            if (!Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
                format(dir, props, state.clusterId(), scramUsers);
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
            server.startup();
            Map<String, Object> adminSecurity = scramUsers.isEmpty() ? Map.of()
                    : scramClientProperties(BROKER_USER, scramUsers.get(BROKER_USER));
            EmbeddedKafka kafka = new EmbeddedKafka(server, "127.0.0.1:" + state.brokerPort(), dir, adminSecurity);
            try {
                kafka.awaitReady();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An Admin client of this broker, logged in as its own super user on a SCRAM broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.putAll(adminSecurity);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(props);
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** {@link #brokerProperties} with the client listener (and inter-broker traffic) on SASL_PLAINTEXT. */
    static Properties scramBrokerProperties(Path dir, NodeState state) {
        Properties props = brokerProperties(dir, state);
        props.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + state.brokerPort() + ",CONTROLLER://127.0.0.1:" + state.controllerPort());
        props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + state.brokerPort());
        props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        props.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        return props;
    }

    static Properties brokerProperties(Path dir, NodeState state) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + state.controllerPort());
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + state.brokerPort() + ",CONTROLLER://127.0.0.1:" + state.controllerPort());
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + state.brokerPort());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", dir.resolve("logs").toString());
        props.put("num.partitions", "1");
        // One node: every internal topic has one replica, or transactions and groups never become available.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("min.insync.replicas", "1");
        props.put("default.replication.factor", "1");
        // A folder is reopened months later (the launcher's runs): keep consumer groups' committed offsets as long as
        // the records they point into (the default drops an empty group's offsets after seven days).
        props.put("offsets.retention.minutes", String.valueOf(100L * 365 * 24 * 60));
        // Tests start a consumer group and expect it to be served at once.
        props.put("group.initial.rebalance.delay.ms", "0");
        // Batch and checkpoint records are megabytes; see DESIGN.md "Kafka contract".
        props.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        props.put("socket.request.max.bytes", String.valueOf(4 * MAX_MESSAGE_BYTES));
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("auto.create.topics.enable", "true");
        return props;
    }

    /** {@code kafka-storage.sh format --standalone}: writes meta.properties and the bootstrap voter set. */
    private static void format(Path dir, Properties props, String clusterId, Map<String, String> scramUsers) throws IOException {
        // It holds the broker's own password (the inter-broker JAAS line) on a SCRAM broker: owner-only.
        Path config = OwnerOnlyFiles.create(dir.resolve("server.properties"));
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "written by EmbeddedKafka for kafka-storage format");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            List<String> args = new ArrayList<>(List.of(
                    "format", "--cluster-id", clusterId, "--config", config.toString(), "--standalone"));
            scramUsers.forEach((user, password) -> {
                args.add("--add-scram");
                args.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]");
            });
            code = StorageTool.execute(args.toArray(String[]::new), print);
        } catch (RuntimeException e) {
            throw new IllegalStateException("kafka-storage format of " + dir + " failed: " + e.getMessage()
                    + "\n" + output.toString(StandardCharsets.UTF_8), e);
        }
        if (code != 0) {
            throw new IllegalStateException("kafka-storage format of " + dir + " exited with " + code + ":\n"
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.putAll(adminSecurity);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        enableShareGroups(admin);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka at " + bootstrapServers + " (data " + dataDir
                                + ") did not answer within " + READY_TIMEOUT.toSeconds() + " s", e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
    }

    /**
     * A folder formatted by Kafka 4.4 has share groups on ({@code share.version} 1 comes with metadata version 4.2 and
     * later); one formatted by an earlier version (a launcher's folder reopened) is upgraded to the newest metadata
     * version this broker supports and {@code share.version} 1, as {@code kafka-features.sh upgrade} would.
     */
    private static void enableShareGroups(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
        FeatureMetadata features = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
        FinalizedVersionRange share = features.finalizedFeatures().get(SHARE_VERSION);
        if (share != null && share.maxVersionLevel() >= 1) {
            return;
        }
        Map<String, FeatureUpdate> updates = new HashMap<>();
        SupportedVersionRange metadata = features.supportedFeatures().get(METADATA_VERSION);
        updates.put(METADATA_VERSION, new FeatureUpdate(metadata.maxVersion(), FeatureUpdate.UpgradeType.UPGRADE));
        updates.put(SHARE_VERSION, new FeatureUpdate((short) 1, FeatureUpdate.UpgradeType.UPGRADE));
        admin.updateFeatures(updates, new UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
    }

    /** Ports and cluster id of a data folder: chosen once, reused on restart. */
    record NodeState(String clusterId, int brokerPort, int controllerPort) {

        static NodeState loadOrCreate(Path file) throws IOException {
            if (Files.exists(file)) {
                Properties props = new Properties();
                try (var in = Files.newInputStream(file)) {
                    props.load(in);
                }
                return new NodeState(props.getProperty("cluster.id"),
                        Integer.parseInt(props.getProperty("broker.port")),
                        Integer.parseInt(props.getProperty("controller.port")));
            }
            NodeState state;
            // Both sockets open at once, so the two ports differ.
            try (ServerSocket broker = loopbackSocket(); ServerSocket controller = loopbackSocket()) {
                state = new NodeState(Uuid.randomUuid().toString(), broker.getLocalPort(), controller.getLocalPort());
            }
            Properties props = new Properties();
            props.setProperty("cluster.id", state.clusterId);
            props.setProperty("broker.port", String.valueOf(state.brokerPort));
            props.setProperty("controller.port", String.valueOf(state.controllerPort));
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, "EmbeddedKafka node state: reused when the broker restarts on this folder");
            }
            return state;
        }

        private static ServerSocket loopbackSocket() throws IOException {
            ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            socket.setReuseAddress(true);
            return socket;
        }
    }
}
