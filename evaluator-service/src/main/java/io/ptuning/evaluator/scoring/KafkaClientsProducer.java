package io.ptuning.evaluator.scoring;

import io.ptuning.contract.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/** The service's plain Kafka clients, connected like its channels (Quarkus' default Kafka configuration). */
@ApplicationScoped
class KafkaClientsProducer {

    @Produces
    @Singleton
    KafkaClients kafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafkaDefaults) {
        return new KafkaClients(KafkaConnection.settings(kafkaDefaults));
    }
}
