package io.ptuning.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker that authenticates and authorizes, stopped and started again on its folder, as a work folder is reopened. */
class SecuredBrokerRestartTest {

    private static final Map<String, String> USERS = Map.of("alice", "alice-secret");
    private static final List<AclBinding> ACLS = List.of(new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "kept", PatternType.LITERAL),
            new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW)),
            new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)));

    @Test
    void aBrokerWithAclsStartsAgainOnItsFolderAndKeepsItsTopics(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka first = EmbeddedKafka.startWithAcls(dir, USERS, ACLS);
                Admin admin = Admin.create(alice(first))) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (EmbeddedKafka second = EmbeddedKafka.startWithAcls(dir, USERS, ACLS);
                Admin admin = Admin.create(alice(second))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
        }
    }

    @Test
    void theFilesHoldingTheBrokersPasswordAreReadableByTheOwnerOnly(@TempDir Path dir) throws Exception {
        EmbeddedKafka.startWithAcls(dir, USERS, ACLS).close();
        for (String secret : List.of("server.properties", BrokerLogin.FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(secret))))
                    .as(secret).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("server.properties"))).as("why it is a secret")
                .contains("username\\=\"" + EmbeddedKafka.BROKER_USER);
    }

    @Test
    void aFolderWhoseBrokerPasswordWasNotKeptIsRefusedWithTheReasonAndLeftAsItWas(@TempDir Path dir) throws Exception {
        EmbeddedKafka.startWithAcls(dir, USERS, ACLS).close();
        Files.delete(dir.resolve(BrokerLogin.FILE)); // what an earlier version left: the password was drawn per start
        byte[] meta = Files.readAllBytes(dir.resolve("logs/meta.properties"));

        assertThatThrownBy(() -> EmbeddedKafka.startWithAcls(dir, USERS, ACLS))
                .hasMessageContaining("formatted by an earlier version that did not keep the broker's own password")
                .hasMessageContaining(dir.toString());
        assertThat(dir.resolve(BrokerLogin.FILE)).doesNotExist();
        assertThat(dir.resolve("logs/meta.properties")).hasBinaryContent(meta);
    }

    private static Properties alice(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.putAll(EmbeddedKafka.scramClientProperties("alice", "alice-secret"));
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }
}
