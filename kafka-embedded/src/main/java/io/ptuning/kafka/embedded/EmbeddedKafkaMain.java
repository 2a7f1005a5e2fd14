package io.ptuning.kafka.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded broker until Ctrl-C: {@code java ... io.ptuning.kafka.embedded.EmbeddedKafkaMain [dataDir]}
 * (default {@code target/kafka-data}). Prints the bootstrap servers on the first line.
 */
public final class EmbeddedKafkaMain {

    private EmbeddedKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/kafka-data");
        EmbeddedKafka kafka = EmbeddedKafka.start(dir);
        System.out.println("kafka.bootstrap.servers=" + kafka.bootstrapServers() + "  (data in " + kafka.dataDir() + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "embedded-kafka-stop"));
        stopped.await();
    }
}
