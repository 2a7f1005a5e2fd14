package io.ptuning.contract;

import java.util.Map;
import java.util.TreeMap;

/**
 * The connection part of a Kafka client configuration: bootstrap servers and security (SASL/SCRAM, mTLS).
 * Services hand these to the plain clients they build themselves (readers, admin, transactional
 * producers), so every client logs in like their messaging channels; serdes and tuning stay per client.
 */
public final class KafkaConnection {

    private KafkaConnection() {}

    /** The keys of {@code clientConfig} that say where the brokers are and how to authenticate. */
    public static Map<String, Object> settings(Map<String, ?> clientConfig) {
        Map<String, Object> connection = new TreeMap<>();
        clientConfig.forEach((key, value) -> {
            if (key.equals("bootstrap.servers") || key.startsWith("security.") || key.startsWith("sasl.")
                    || key.startsWith("ssl.")) {
                connection.put(key, value);
            }
        });
        if (!connection.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("no bootstrap.servers in the Kafka configuration (set kafka.bootstrap.servers"
                    + " or KAFKA_BOOTSTRAP_SERVERS)");
        }
        return connection;
    }
}
