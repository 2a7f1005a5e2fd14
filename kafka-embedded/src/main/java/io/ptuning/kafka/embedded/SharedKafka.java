package io.ptuning.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One embedded broker per JVM, started on first use and stopped at JVM exit, so that every test class of a
 * module (and a Quarkus test resource) shares it instead of paying a start per class.
 *
 * <p>Its data lives in a fresh temporary folder, deleted at exit: tests must use topic names of their own.
 */
public final class SharedKafka {

    private static EmbeddedKafka kafka;

    private SharedKafka() {
    }

    /** The shared broker's {@code bootstrap.servers}, starting it if needed. */
    public static synchronized String bootstrapServers() {
        return broker().bootstrapServers();
    }

    public static synchronized EmbeddedKafka broker() {
        if (kafka == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("embedded-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary folder for the shared Kafka broker", e);
            }
            EmbeddedKafka started = EmbeddedKafka.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteQuietly(dir);
            }, "shared-kafka-shutdown"));
            kafka = started;
        }
        return kafka;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // A temp folder left behind is harmless; the JVM is exiting.
        }
    }
}
