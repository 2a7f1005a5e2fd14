package io.ptuning.kafka.embedded;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For {@code @QuarkusTestResource}: points a service under test at the JVM's shared embedded broker (a real
 * Kafka, no Docker). Needs quarkus-test-common on the test classpath, as every Quarkus test has.
 */
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
