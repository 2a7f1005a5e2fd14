package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.dataset.Sst2Resolver;
import io.ptuning.weights.dataset.Sst2Settings;
import io.ptuning.weights.dataset.Sst2ZipServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three services as separate processes (their packaged Quarkus apps) on an embedded broker, driven by
 * the launcher over real SST-2 with a tiny random BERT: every checkpoint gets its accuracy event. As on a fresh
 * machine, no {@code --sst2}: the launcher downloads SST-2.zip (from a real HTTP server on loopback serving a zip
 * built from the shared copy) into an empty data cache and hands the folder to the tokenizer process.
 */
class LocalPipelineEndToEndTest {

    @Test
    void everyCheckpointOfARunGetsAnAccuracyEventOnTheWholeDevSplit(@TempDir Path work, @TempDir Path dataCache)
            throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), "tiny-bert-e2e", 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        LaunchOptions options = LaunchOptions.parse(new String[] {
            "--work", work.toString(),
            "--repository", repository.toString(),
            "--model", "tiny-bert-e2e",
            "--max-steps", "40",
            "--checkpoint-every", "20",
            "--run-id", "e2e-run",
            "--ports", ports[0] + "," + ports[1] + "," + ports[2]});
        assertThat(Preflight.problems(options)).isEmpty();

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);
        Sst2ZipServer glue = Sst2ZipServer.serving(Sst2ZipServer.glueZip(Sst2ZipServer.sharedSst2()));
        // What SST2_DIR unset, PTUNING_DATA_CACHE=<empty folder> and PTUNING_SST2_URL=<loopback> configure.
        Sst2Settings data = new Sst2Settings(null, dataCache, glue.url(), false);
        LocalPipeline pipeline = new LocalPipeline(options, consoleOut, new Sst2Resolver(data, consoleOut));
        LocalPipeline.Report report;
        List<CheckpointMetadata> checkpoints;
        try (glue) {
            report = pipeline.run();
            checkpoints = new TopicRecords(report.kafkaClient()).checkpoints("e2e-run").stream()
                    .map(c -> CheckpointMetadata.from(c.metadata(), "checkpoint")).toList();
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        if (ServiceProcess.TCMALLOC.stream().anyMatch(Files::isRegularFile)) { // .ci/run installs it
            assertThat(work.resolve("logs/trainer-service.log")).content().contains("malloc left as it is: tcmalloc is preloaded");
        }
        assertThat(options.sst2()).isNull();
        assertThat(glue.requests()).as("SST-2.zip downloaded once").isOne();
        assertThat(dataCache.resolve("sst2").resolve("train.tsv")).hasSameBinaryContentAs(Sst2ZipServer.sharedSst2().resolve("train.tsv"));
        assertThat(report.status().state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(checkpoints).extracting(CheckpointMetadata::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).extracting(Evaluation::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).allSatisfy(e -> {
            assertThat(e.examples()).isEqualTo(872);
            assertThat(e.accuracy()).isBetween(0.0, 1.0);
        });
        assertThat(report.evaluations().get(1).last()).isTrue();
        assertThat(report.predict()).as("the dev split served through /api/predict").satisfies(p -> {
            assertThat(p.sentences()).isEqualTo(872);
            assertThat(p.requests()).isEqualTo(28);
            assertThat(p.runId()).isEqualTo("e2e-run");
            assertThat(p.accuracy()).isBetween(0.0, 1.0);
        });
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("[tokenizing] sst2.batches.train: 67349 rows",
                "SST-2.zip [", "100%", "[data] SST-2 from " + dataCache.resolve("sst2"),
                "[eval]  step    40", "dashboard: http://127.0.0.1:" + ports[2] + "/", "[serving] dev sentences",
                "SASL/SCRAM, deny by default, one user per service with its own ACLs");
        assertThat(report.kafkaClient()).as("the launcher reads as its own Kafka user")
                .containsEntry("security.protocol", "SASL_PLAINTEXT").containsKey("sasl.jaas.config");
    }
}
