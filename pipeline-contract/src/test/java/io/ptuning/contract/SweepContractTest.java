package io.ptuning.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sweep's runs are a pure function of the sweep: the same ids, requests and order every time. */
class SweepContractTest {

    static SweepRequest sweep(String grid) {
        return JsonRecords.decode(("""
                {"sweep_id": "s1", "grid": %s, "median_stopping_after": 2,
                 "base": {"overrides": {"psl": "4", "lr": "0.5"}, "base_model": "tiny-bert",
                          "batch_topic": "sst2.batches.train", "dataset_version": "v1", "max_steps": 300}}""")
                .formatted(grid).getBytes(), SweepRequest.class, "ptuning.runs-0@1");
    }

    @Test
    void everyCombinationIsARunNamedBySweepKeysAndValuesInKeyOrder() {
        SweepRequest sweep = sweep("{\"seed\": [\"1\", \"2\"], \"lr\": [\"0.01\", \"0.02\"]}");

        assertThat(sweep.runs()).extracting(SweepRequest.SweepRun::runId).containsExactly(
                "s1--lr-0_01--seed-1", "s1--lr-0_01--seed-2", "s1--lr-0_02--seed-1", "s1--lr-0_02--seed-2");
        assertThat(sweep.runs().get(1).params()).containsExactly(Map.entry("lr", "0.01"), Map.entry("seed", "2"));
    }

    @Test
    void aRunRequestIsTheBaseWithTheRunsValuesOverridden() {
        RunRequest run = sweep("{\"lr\": [\"0.01\"], \"base_model\": [\"all-minilm-l6-v2\"]}").runRequests().get(0);

        assertThat(run.runId()).isEqualTo("s1--base_model-all-minilm-l6-v2--lr-0_01");
        assertThat(run.baseModel()).isEqualTo("all-minilm-l6-v2");
        assertThat(run.overrides()).containsEntry("lr", "0.01").containsEntry("psl", "4").doesNotContainKey("base_model");
        assertThat(run.toOffset()).as("the whole topic, as POST /runs defaults").isEqualTo(-1);
        assertThat(run.maxSteps()).isEqualTo(300);
    }

    @Test
    void onlyKeysWithSeveralValuesAreVaried() {
        assertThat(sweep("{\"lr\": [\"0.01\", \"0.02\"], \"seed\": [\"1\"]}").varied()).containsExactly("lr");
    }

    @Test
    void aSweepSurvivesItsRecordUnchanged() {
        SweepRequest sweep = sweep("{\"lr\": [\"0.01\", \"0.02\"]}");

        assertThat(JsonRecords.decode(JsonRecords.encode(sweep), SweepRequest.class, "again")).isEqualTo(sweep);
    }

    @Test
    void aRunIdTellsItsSweep() {
        assertThat(SweepRequest.sweepOf("s1--lr-0_01")).isEqualTo("s1");
        assertThat(SweepRequest.sweepOf("plain-run")).isNull();
        assertThat(SweepRequest.belongsTo("s1--lr-0_01", "s1")).isTrue();
        assertThat(SweepRequest.belongsTo("s10--lr-0_01", "s1")).isFalse();
    }

    @Test
    void valuesThatNameTheSameRunAreRefused() {
        assertThatThrownBy(() -> sweep("{\"lr\": [\"0.01\", \"0_01\"]}"))
                .hasMessageContaining("two combinations map to run id s1--lr-0_01");
    }

    @Test
    void aGridOfMoreThanMaxRunsIsRefusedBeforeItsRunsAreMade() {
        // Seven keys of ten values: ten million runs from 417 bytes (the fuzz seed grid-of-ten-million-runs).
        String values = "[\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]";
        String grid = "{" + String.join(", ", java.util.stream.Stream.of("a", "b", "c", "d", "e", "f", "g")
                .map(key -> "\"" + key + "\": " + values).toList()) + "}";

        assertThatThrownBy(() -> sweep(grid)).isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("sweep s1: the grid makes more than 1000 runs ([a, b, c, d, e, f, g] with"
                        + " [10, 10, 10, 10, 10, 10, 10] values); split it into several sweeps");
        assertThat(sweep("{\"lr\": " + values + ", \"seed\": " + values + "}").runs()).hasSize(100);
    }

    @Test
    void aRepeatedValueIsRefused() {
        assertThatThrownBy(() -> sweep("{\"lr\": [\"0.01\", \"0.01\"]}"))
                .hasMessageContaining("sweep s1: grid key 'lr' repeats a value: [0.01, 0.01]");
    }

    @Test
    void aRunControlNamesARunOrASweepNotBoth() {
        assertThat(RunControl.cancelSweep("s1", "enough").appliesTo("s1--lr-0_01")).isTrue();
        assertThat(RunControl.cancelRun("s1--lr-0_01", null).reason()).isEqualTo("cancelled");
        assertThatThrownBy(() -> new RunControl(1, "cancel", "a", "s1", "x"))
                .hasMessage("a run control names exactly one of run_id and sweep_id");
        assertThatThrownBy(() -> new RunControl(1, "pause", "a", null, "x"))
                .hasMessage("action 'pause' is not one of: cancel");
        assertThat(List.of(RunControl.RECORD_TYPE, SweepRequest.RECORD_TYPE, SweepRequest.REQUEST_RECORD_TYPE,
                RunRequest.RECORD_TYPE)).doesNotHaveDuplicates();
    }
}
