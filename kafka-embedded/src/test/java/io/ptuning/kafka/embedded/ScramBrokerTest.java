package io.ptuning.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScramBrokerTest {

    @TempDir
    static Path dataDir;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.startWithScram(dataDir, Map.of("alice", "alice-secret"));
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aUserWithItsPasswordCreatesATopic() throws Exception {
        try (Admin admin = Admin.create(client("alice", "alice-secret"))) {
            admin.createTopics(Set.of(new NewTopic("scram.created", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("scram.created");
        }
    }

    @Test
    void aWrongPasswordIsRefusedAsAnAuthenticationFailure() {
        try (Admin admin = Admin.create(client("alice", "not-her-password"))) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Authentication failed")
                    .hasMessageContaining("SCRAM-SHA-512");
        }
    }

    @Test
    void aClientWithoutSaslCannotReachTheBroker() {
        Map<String, Object> plain = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "request.timeout.ms", 3000, "default.api.timeout.ms", 5000);
        try (Admin admin = Admin.create(plain)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    private static Map<String, Object> client(String user, String password) {
        Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(user, password));
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }
}
