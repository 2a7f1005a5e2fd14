package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three services as separate processes (their packaged Quarkus apps) on an embedded broker, driven by
 * the launcher over real SST-2 with a tiny random BERT: every checkpoint gets its accuracy event.
 */
class LocalPipelineEndToEndTest {

    @Test
    void everyCheckpointOfARunGetsAnAccuracyEventOnTheWholeDevSplit(@TempDir Path work) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), "tiny-bert-e2e", 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        LaunchOptions options = LaunchOptions.parse(new String[] {
            "--sst2", System.getProperty("sst2.dir"),
            "--work", work.toString(),
            "--repository", repository.toString(),
            "--model", "tiny-bert-e2e",
            "--max-steps", "40",
            "--checkpoint-every", "20",
            "--run-id", "e2e-run",
            "--ports", ports[0] + "," + ports[1] + "," + ports[2]});
        assertThat(Preflight.problems(options)).isEmpty();

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LocalPipeline pipeline = new LocalPipeline(options, new PrintStream(console, true, StandardCharsets.UTF_8));
        LocalPipeline.Report report;
        List<CheckpointMetadata> checkpoints;
        try {
            report = pipeline.run();
            checkpoints = new TopicRecords(report.kafka()).checkpoints("e2e-run").stream()
                    .map(c -> CheckpointMetadata.from(c.metadata(), "checkpoint")).toList();
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        assertThat(report.status().state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(checkpoints).extracting(CheckpointMetadata::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).extracting(Evaluation::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).allSatisfy(e -> {
            assertThat(e.examples()).isEqualTo(872);
            assertThat(e.accuracy()).isBetween(0.0, 1.0);
        });
        assertThat(report.evaluations().get(1).last()).isTrue();
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("[tokenizing] sst2.batches.train: 67349 rows",
                "[eval]  step    40", "dashboard: http://127.0.0.1:" + ports[2] + "/");
    }
}
