package io.ptuning.launcher;

import static io.ptuning.launcher.Checkpoints.metadata;
import static io.ptuning.launcher.Checkpoints.withoutRunId;
import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.RunStatus;
import io.ptuning.kafka.embedded.EmbeddedKafka;
import io.ptuning.weights.SafetensorsFile;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.dataset.Sst2ZipServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline killed at once, as a power cut or an OOM kill of its container does: the launcher (with the
 * broker in it) and every service it started get SIGKILL mid-run, as one process group. The same command again,
 * naming no run, finds the unfinished run in the work folder, resumes it from its last checkpoint and ends with the
 * checkpoints of an uninterrupted run of the same recipe, none of them written twice.
 */
class PipelineKilledMidRunTest {

    private static final String MODEL = "tiny-bert-pipeline-kill";
    private static final int STEPS = 300;
    private static final int CHECKPOINT_EVERY = 50;
    private static final Pattern RUN_STARTED = Pattern.compile("\\[training] run (\\S+): preset");

    @Test
    void theSameCommandAfterAWholePipelineKillResumesTheRunAndEndsWithTheUninterruptedCheckpoints(
            @TempDir Path parent) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), MODEL, 1);
        Path work = parent.resolve("runs");
        Path logs = Files.createDirectories(Path.of("target", "pipeline-kill-test")); // kept for their reading
        for (String log : List.of("killed.log", "again.log", "uninterrupted.log")) {
            Files.deleteIfExists(logs.resolve(log)); // appended to while the test runs
        }
        int[] ports = FreePorts.three();
        List<String> command = List.of("--work", work.toString(),
                "--repository", System.getProperty("repository.root"),
                "--sst2", Sst2ZipServer.sharedSst2().toString(), "--model", MODEL,
                "--max-steps", String.valueOf(STEPS), "--checkpoint-every", String.valueOf(CHECKPOINT_EVERY),
                "--ports", ports[0] + "," + ports[1] + "," + ports[2]);

        Process killed = launch(command, logs.resolve("killed.log"));
        String runId = awaitRunId(killed, logs.resolve("killed.log"));
        long stepAtKill = awaitStep(work, runId, 120, killed);
        List<ProcessHandle> group = new ArrayList<>(killed.descendants().toList());
        group.add(killed.toHandle());
        killProcessGroup(killed);
        for (ProcessHandle process : group) {
            process.onExit().get(30, TimeUnit.SECONDS);
        }

        Process again = launch(command, logs.resolve("again.log"));
        assertThat(again.waitFor(8, TimeUnit.MINUTES)).as("the second command ended").isTrue();
        assertThat(again.exitValue()).as(Files.readString(logs.resolve("again.log"))).isZero();
        assertThat(logs.resolve("again.log")).content().contains("resuming run " + runId);

        List<String> reference = new ArrayList<>(command);
        reference.addAll(List.of("--run-id", "uninterrupted"));
        Process uninterrupted = launch(reference, logs.resolve("uninterrupted.log"));
        assertThat(uninterrupted.waitFor(8, TimeUnit.MINUTES)).isTrue();
        assertThat(uninterrupted.exitValue()).as(Files.readString(logs.resolve("uninterrupted.log"))).isZero();

        LocalKafkaUsers users = LocalKafkaUsers.inFolder(work.resolve("security"));
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithAcls(work.resolve("kafka"), users.passwords(), users.acls())) {
            TopicRecords records = new TopicRecords(users.client(LocalKafkaUsers.LAUNCHER, kafka.bootstrapServers()));
            assertThat(records.statuses(runId)).extracting(RunStatus::state).containsExactly(RunStatus.State.STARTED,
                    RunStatus.State.RESUMED, RunStatus.State.COMPLETED);
            List<SafetensorsFile> resumed = records.checkpoints(runId);
            assertThat(resumed).extracting(c -> metadata(c).step()).as("killed at step %d", stepAtKill)
                    .doesNotHaveDuplicates().isSorted().endsWith((long) STEPS);
            Map<Long, byte[]> byStep = new TreeMap<>();
            records.checkpoints("uninterrupted").forEach(c -> byStep.put(metadata(c).step(), withoutRunId(c)));
            assertThat(resumed).allSatisfy(c -> assertThat(withoutRunId(c)).as("checkpoint at step %d",
                    metadata(c).step()).isEqualTo(byStep.get(metadata(c).step())));
            assertThat(byStep).containsKey((long) STEPS);
        }
    }

    /** The launcher in its own process group (setsid), so that one signal reaches it and everything it started. */
    private static Process launch(List<String> options, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of("setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), LocalPipeline.class.getName()));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("PTUNING_MODEL_CACHE", ModelCache.configuredRoot().toString());
        builder.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        return builder.start();
    }

    /** SIGKILL to the launcher's process group: the launcher, its broker and its services at one instant. */
    private static void killProcessGroup(Process launcher) throws Exception {
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + launcher.pid()).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private static String awaitRunId(Process launcher, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (System.nanoTime() < deadline && launcher.isAlive()) {
            Matcher started = RUN_STARTED.matcher(Files.readString(log));
            if (started.find()) {
                return started.group(1);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the launcher requested no run; its output:\n" + Files.readString(log));
    }

    /** Waits until the run reports {@code step} or later, reading the metric topic as the launcher's Kafka user. */
    private static long awaitStep(Path work, String runId, long step, Process launcher) throws Exception {
        LocalKafkaUsers users = LocalKafkaUsers.inFolder(work.resolve("security"));
        Properties node = new Properties();
        try (InputStream in = Files.newInputStream(work.resolve("kafka/embedded-kafka.properties"))) {
            node.load(in);
        }
        TopicRecords records = new TopicRecords(users.client(LocalKafkaUsers.LAUNCHER,
                "127.0.0.1:" + node.getProperty("broker.port")));
        return records.awaitStep(runId, step, Duration.ofMinutes(3), launcher::isAlive);
    }
}
