package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the service at the JVM's shared embedded broker (a real Kafka, no Docker). */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // SharedKafka stops at JVM exit: other test classes may still use it.
    }
}
