package io.ptuning.tokenizer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.contract.Split;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.batching.BatchingSettings;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher on a broker that demands SASL/SCRAM-SHA-512, configured the way the service configures it: the
 * {@code kafka.*} properties (env {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_JAAS_CONFIG}) that {@link PublishService} passes to every client it builds.
 */
class SaslScramPublishTest {

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static BertTokenizer tokenizer;
    private static DatasetSource source;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startWithScram(dir.resolve("kafka"), Map.of("tokenizer", "tokenizer-secret"));
        tokenizer = BertTokenizer.load(ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2).path(), 128);
        Path tsv = Files.writeString(dir.resolve("train.tsv"),
                "sentence\tlabel\na gorgeous , witty , seductive movie .\t1\nthe plot is nothing but boilerplate\t0\n");
        source = new DatasetSource("saslsst2", Split.TRAIN, tsv);
    }

    @AfterAll
    static void stop() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void publishesWithTheRightScramCredentials() {
        PublishReport report = publisher("tokenizer", "tokenizer-secret").publish(source);

        assertThat(report.status()).isEqualTo(PublishReport.Status.PUBLISHED);
        assertThat(report.topic()).isEqualTo("saslsst2.batches.train");
        assertThat(report.rows()).isEqualTo(2);
    }

    @Test
    void isRefusedWithAWrongPasswordNamingTheAuthenticationFailure() {
        assertThatThrownBy(() -> publisher("tokenizer", "wrong-password").publish(source))
                .hasMessageContaining("saslsst2.batches.train")
                .hasMessageContaining(kafka.bootstrapServers())
                .hasMessageContaining("Authentication failed")
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512")
                .hasMessageNotContaining("wrong-password")
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    private static DatasetPublisher publisher(String user, String password) {
        Map<String, Object> kafkaConfig = new HashMap<>(EmbeddedKafka.scramClientProperties(user, password));
        kafkaConfig.put("bootstrap.servers", kafka.bootstrapServers());
        return new DatasetPublisher(new SplitPreparer(tokenizer, new BatchingSettings(32, 50, 42)),
                new BatchTopicPublisher(kafkaConfig, new BatchTopicPublisher.KafkaSettings(
                        EmbeddedKafka.MAX_MESSAGE_BYTES, (short) 1, Duration.ofMinutes(1), "sasl-test.")),
                new PublishProgress());
    }
}
