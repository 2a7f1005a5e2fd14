package io.ptuning.launcher;

import io.ptuning.contract.Split;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.ServiceAcls;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.kafka.embedded.OwnerOnlyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The Kafka users of a local run: one per service and one for the launcher, each with exactly its ACLs
 * ({@link ServiceAcls}) on an embedded broker that denies by default. Passwords are drawn once per work folder and
 * kept there (mode 600), because the broker's data folder holds their SCRAM credentials from its first start.
 */
final class LocalKafkaUsers {

    static final String TOKENIZER = "tokenizer-service";
    static final String TRAINER = "trainer-service";
    static final String EVALUATOR = "evaluator-service";
    static final String LAUNCHER = "pipeline-launcher";
    static final String DATASET = "sst2";

    private final Path folder;
    private final Map<String, String> passwords;

    private LocalKafkaUsers(Path folder, Map<String, String> passwords) {
        this.folder = folder;
        this.passwords = Map.copyOf(passwords);
    }

    /** The users kept in {@code folder}, or new ones written there. */
    static LocalKafkaUsers inFolder(Path folder) {
        Path file = folder.resolve("kafka-users.properties");
        try {
            Properties kept = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    kept.load(in);
                }
            } else {
                SecureRandom random = new SecureRandom();
                for (String user : List.of(TOKENIZER, TRAINER, EVALUATOR, LAUNCHER)) {
                    byte[] bytes = new byte[18];
                    random.nextBytes(bytes);
                    kept.setProperty(user, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
                }
                writePrivate(file, kept);
            }
            Map<String, String> passwords = new HashMap<>();
            kept.stringPropertyNames().forEach(user -> passwords.put(user, kept.getProperty(user)));
            return new LocalKafkaUsers(folder, passwords);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the local Kafka users in " + file + ": " + e.getMessage(), e);
        }
    }

    Map<String, String> passwords() {
        return passwords;
    }

    /** What each user may do: the services' own ACLs from their default configuration, and the launcher's. */
    List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(ServiceAcls.tokenizer(ServiceAcls.user(TOKENIZER), DATASET, "tokenizer-service."));
        acls.addAll(ServiceAcls.trainer(ServiceAcls.user(TRAINER), List.of(DATASET), "ptuning.trainer-state",
                "ptuning-trainers", "trainer-service."));
        acls.addAll(ServiceAcls.evaluator(ServiceAcls.user(EVALUATOR), Topics.batches(DATASET, Split.VALIDATION),
                "ptuning-evaluators"));
        acls.addAll(ServiceAcls.operator(ServiceAcls.user(LAUNCHER)));
        return acls;
    }

    /** Client properties logging in as {@code user}, with {@code bootstrapServers}. */
    Map<String, Object> client(String user, String bootstrapServers) {
        Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(user, passwords.get(user)));
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** A configuration file (mode 600) giving {@code service} its Kafka login, for quarkus.config.locations. */
    Path serviceConfig(String service) {
        Path file = folder.resolve(service + "-kafka.properties");
        Properties props = new Properties();
        EmbeddedKafka.scramClientProperties(service, passwords.get(service))
                .forEach((key, value) -> props.setProperty("kafka." + key, String.valueOf(value)));
        try {
            writePrivate(file, props);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static void writePrivate(Path file, Properties props) throws IOException {
        try (OutputStream out = Files.newOutputStream(OwnerOnlyFiles.create(file))) {
            props.store(out, "local run: Kafka users (secrets; readable by the owner only)");
        }
    }
}
