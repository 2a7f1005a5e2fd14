package io.ptuning.launcher;

import io.ptuning.kafka.embedded.EmbeddedKafkaMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The embedded broker ({@link EmbeddedKafkaMain}) in a JVM of its own, so that a test can SIGKILL it and start it
 * again on the same data folder, which keeps its ports and cluster id: the bootstrap address does not change.
 */
final class BrokerProcess implements AutoCloseable {

    private static final String BOOTSTRAP_LINE = "kafka.bootstrap.servers=";

    private final Path dataDir;
    private final Path log;
    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Path dataDir, Path log, Process process, String bootstrapServers) {
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker on {@code dataDir} with this JVM's class path (which holds kafka-embedded and Kafka), logging to
     * {@code log} (appended to, so a restart's lines follow the killed broker's), and waits until it serves.
     */
    static BrokerProcess start(Path dataDir, Path log, Duration timeout) throws InterruptedException {
        try {
            Files.createDirectories(log.getParent());
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), EmbeddedKafkaMain.class.getName(),
                    dataDir.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<String> bootstrap = bootstrapLine(log, logStart);
                if (bootstrap.isPresent()) {
                    return new BrokerProcess(dataDir, log, process, bootstrap.get());
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker on " + dataDir + " exited with code "
                            + process.exitValue() + "; see " + log);
                }
                Thread.sleep(200);
            }
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("the broker on " + dataDir + " did not serve within " + timeout.toSeconds()
                    + " s; see " + log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a broker on " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** The bootstrap address the broker printed after {@code from} bytes of its log, once it serves. */
    private static Optional<String> bootstrapLine(Path log, long from) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        String text = new String(bytes, (int) Math.min(from, bytes.length), (int) Math.max(0, bytes.length - from),
                java.nio.charset.StandardCharsets.UTF_8);
        return List.of(text.split("\n")).stream().filter(line -> line.startsWith(BOOTSTRAP_LINE))
                .map(line -> line.substring(BOOTSTRAP_LINE.length()).split("\\s+")[0]).findFirst();
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** SIGKILL: no log flush, no controlled shutdown, clients see the connection drop. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** A broker on the same folder, with the same log. */
    BrokerProcess restart(Duration timeout) throws InterruptedException {
        return start(dataDir, log, timeout);
    }

    /** SIGTERM: the broker shuts down cleanly; then forcibly. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
