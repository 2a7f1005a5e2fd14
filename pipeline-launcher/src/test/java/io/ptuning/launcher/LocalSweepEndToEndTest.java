package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's sweep: {@code --sweep lr=... --sweep seed=... --trainers 2} on an embedded broker with the tiny random
 * BERT, every service a separate process, the leaderboard printed at the end from the evaluator.
 */
class LocalSweepEndToEndTest {

    @Test
    void aSweepOverTwoTrainersEndsWithTheLeaderboardOfItsRuns(@TempDir Path work) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), "tiny-bert-sweep", 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        int trainerPorts = FreePorts.consecutive(2); // trainer i listens on trainerPorts + i
        while (ports[0] == trainerPorts + 1 || ports[2] == trainerPorts + 1 || ports[0] == trainerPorts
                || ports[2] == trainerPorts) {
            trainerPorts = FreePorts.consecutive(2);
        }
        LaunchOptions options = LaunchOptions.parse(new String[] {
            "--sst2", System.getProperty("sst2.dir"),
            "--work", work.toString(),
            "--repository", repository.toString(),
            "--model", "tiny-bert-sweep",
            "--max-steps", "40",
            "--checkpoint-every", "20",
            "--run-id", "e2e-sweep",
            "--sweep", "lr=0.05,0.1",
            "--sweep", "seed=3",
            "--trainers", "2",
            "--ports", ports[0] + "," + trainerPorts + "," + ports[2]});
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);
        LocalPipeline pipeline = new LocalPipeline(options, consoleOut);
        SweepFollower.SweepReport report;
        try {
            report = pipeline.runSweep();
            report.print(consoleOut);
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        assertThat(report.varied()).containsExactly("lr");
        assertThat(report.runs()).extracting(SweepFollower.RunResult::runId)
                .containsExactlyInAnyOrder("e2e-sweep--lr-0_05--seed-3", "e2e-sweep--lr-0_1--seed-3");
        assertThat(report.runs()).allSatisfy(run -> {
            assertThat(run.status()).isEqualTo("COMPLETED");
            assertThat(run.bestAccuracy()).isBetween(0.0, 1.0);
            assertThat(run.bestStep()).isIn(20L, 40L);
        });
        assertThat(report.runs().get(0).bestAccuracy()).isGreaterThanOrEqualTo(report.runs().get(1).bestAccuracy());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("== Sweep e2e-sweep: 2 runs on 2 trainer(s)",
                "[sweep] e2e-sweep--lr-0_1--seed-3 completed", "rank  run");
        assertThat(work.resolve("logs").resolve("trainer-2").resolve("trainer-service.log")).exists();
    }
}
