package io.ptuning.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trainer processes of one run queue (the share group {@code ptuning-trainers}) on one broker: started, killed and
 * replaced by tests that need several trainers at once.
 */
final class TrainerGroup implements AutoCloseable {

    /** How long a run request stays with a trainer that stopped renewing its lock (killed), in tests. */
    static final Duration LOCK = Duration.ofSeconds(5);

    /**
     * Broker settings for tests that kill trainers: a lock and a share session that lapse in seconds, not the
     * production 30 s and 45 s (the broker's minimums are lowered to allow them).
     */
    static final Map<String, String> BROKER = Map.of(
            "group.share.record.lock.duration.ms", String.valueOf(LOCK.toMillis()),
            "group.share.min.record.lock.duration.ms", "1000",
            "group.share.session.timeout.ms", "6000",
            "group.share.min.session.timeout.ms", "1000",
            "group.share.heartbeat.interval.ms", "1000",
            "group.share.min.heartbeat.interval.ms", "500");

    private final Path repository;
    private final Map<String, String> properties;
    private final Path logs;
    /** One HTTP user for the whole group, drawn once: every trainer reads the same users file. */
    private final LocalCredentials credentials;
    private final List<ServiceProcess> trainers = new ArrayList<>();
    private int started;

    TrainerGroup(Path repository, Map<String, String> properties, Path logs) {
        this.repository = repository;
        this.properties = properties;
        this.logs = logs;
        this.credentials = LocalCredentials.keptIn(logs.resolve("security"));
    }

    /** Starts trainers until {@code count} are alive (replacing killed ones), each ready to take runs. */
    List<ServiceProcess> ensure(int count) throws Exception {
        trainers.removeIf(trainer -> !trainer.isAlive());
        List<ServiceProcess> fresh = new ArrayList<>();
        while (trainers.size() < count) {
            started++;
            ServiceProcess trainer = ServiceProcess.start(repository, "trainer-service", FreePorts.one(), "1g",
                    properties, logs.resolve("trainer-" + started), credentials);
            trainers.add(trainer);
            fresh.add(trainer);
        }
        for (ServiceProcess trainer : fresh) {
            trainer.awaitReady(Duration.ofMinutes(3));
        }
        return List.copyOf(trainers);
    }

    /** The live trainer whose {@code GET /runs/{id}} knows {@code runId}, i.e. the one that executed it. */
    Optional<ServiceProcess> executing(String runId) throws InterruptedException {
        for (ServiceProcess trainer : trainers) {
            if (trainer.isAlive() && knows(trainer, runId)) {
                return Optional.of(trainer);
            }
        }
        return Optional.empty();
    }

    /** Waits until a trainer executes {@code runId}. */
    ServiceProcess awaitExecuting(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ServiceProcess> trainer = executing(runId);
            if (trainer.isPresent()) {
                return trainer.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no trainer executed run " + runId + " within " + timeout.toSeconds() + " s");
    }

    static boolean knows(ServiceProcess trainer, String runId) throws InterruptedException {
        try {
            return trainer.get("/runs/" + runId, Duration.ofSeconds(5)).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        trainers.forEach(ServiceProcess::close);
    }
}
