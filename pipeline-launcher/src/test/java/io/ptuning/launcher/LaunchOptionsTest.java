package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    @Test
    void theDefaultRunIsTwoEpochsOfPtv2WithALongerPrefixAtTheHigherLearningRateWithoutPrefixDropout() {
        LaunchOptions options = LaunchOptions.parse(new String[] {"--sst2", "data"});
        assertThat(options.preset()).isEqualTo("ptv2");
        assertThat(options.overrides()).containsExactly(
                org.assertj.core.api.Assertions.entry("epochs", "2"),
                org.assertj.core.api.Assertions.entry("lr", "0.02"),
                org.assertj.core.api.Assertions.entry("prefix_dropout", "0"),
                org.assertj.core.api.Assertions.entry("psl", "40"));
        assertThat(options.maxSteps()).isZero(); // two epochs of whatever the topic holds
    }

    @Test
    void withoutSst2TheLauncherResolvesSst2ItselfAndPreflightDoesNotAskForIt() {
        assertThat(LaunchOptions.parse(new String[] {}).sst2()).isNull();
        assertThat(LaunchOptions.parse(new String[] {"--sst2", "data"}).sst2()).isAbsolute().endsWithRaw(java.nio.file.Path.of("data"));
        assertThat(Preflight.problems(LaunchOptions.parse(new String[] {"--ports", "1,2,3"})))
                .noneMatch(p -> p.contains("SST-2"));
        assertThat(Preflight.problems(LaunchOptions.parse(new String[] {"--sst2", "no-such-folder", "--ports", "1,2,3"})))
                .anyMatch(p -> p.contains("SST-2 file") && p.contains("--sst2 DIR"));
    }

    @Test
    void overridesOnTheCommandLineWinAndANamedPresetRunsAsDefined() {
        assertThat(LaunchOptions.parse(new String[] {"--set", "lr=0.05"}).overrides())
                .containsEntry("lr", "0.05").containsEntry("prefix_dropout", "0");
        assertThat(LaunchOptions.parse(new String[] {"--preset", "ptv2", "--set", "psl=16"}).overrides())
                .containsExactly(org.assertj.core.api.Assertions.entry("psl", "16"));
    }

    @Test
    void productsAreExactFloat32UnlessBfloat16IsAskedFor() {
        org.assertj.core.api.Assumptions.assumeThat(System.getenv("PTUNING_MATMUL_PRECISION")).isNull();
        assertThat(LaunchOptions.parse(new String[] {}).matmulPrecision()).isEqualTo("float32");
        assertThat(LaunchOptions.parse(new String[] {"--matmul-precision", "bfloat16"}).matmulPrecision())
                .isEqualTo("bfloat16");
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--matmul-precision", "medium"}))
                .isInstanceOf(LaunchOptions.UsageException.class)
                .hasMessage("--matmul-precision is 'medium', expected one of [float32, bfloat16]");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--epochs", "3"}))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessageContaining("unknown option(s): [epochs]");
    }

    @Test
    void repeatedSweepOptionsMakeAGridOverSeveralTrainers() {
        LaunchOptions options = LaunchOptions.parse(new String[] {"--sweep", "lr=0.01,0.02", "--sweep", "seed=1,2",
            "--trainers", "2", "--run-id", "s1"});
        assertThat(options.sweep()).containsExactly(
                org.assertj.core.api.Assertions.entry("lr", java.util.List.of("0.01", "0.02")),
                org.assertj.core.api.Assertions.entry("seed", java.util.List.of("1", "2")));
        assertThat(options.trainers()).isEqualTo(2);
        assertThat(options.runId()).isEqualTo("s1");
        assertThat(LaunchOptions.parse(new String[] {}).sweep()).isEmpty();
        assertThat(LaunchOptions.parse(new String[] {}).trainers()).isOne();
    }

    @Test
    void badSweepOptionsAreUsageErrorsThatSayWhatToWrite() {
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--sweep", "lr"}))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessage("--sweep takes KEY=V1,V2,..., got 'lr'");
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--sweep", "lr=1", "--sweep", "lr=2"}))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessage("--sweep names lr twice");
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--trainers", "0"}))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessage("--trainers takes a whole number >= 1, got '0'");
        assertThatThrownBy(() -> LaunchOptions.parse(new String[] {"--median-stopping-after", "2"}))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessageContaining("add --sweep KEY=V1,V2");
    }
}
