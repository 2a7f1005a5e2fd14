package io.ptuning.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunContractTest {

    @Test
    void aRunRequestRoundTripsThroughJson() {
        RunRequest request = RunRequest.of("run-1", "ptv2", Map.of("lr", "5e-3", "seed", "7"), "all-minilm-l6-v2",
                "sst2.batches.train", "abc123").withBudget(50, 400);
        byte[] json = JsonRecords.encode(request);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"run_id\":\"run-1\"", "\"max_steps\":400");
        assertThat(JsonRecords.decode(json, RunRequest.class, "ptuning.runs-0@3")).isEqualTo(request);
    }

    @Test
    void aRunRequestCanPinItsMatmulPrecisionAndOneThatDoesNotEncodesAsBefore() {
        RunRequest request = RunRequest.of("run-1", "ptv2", Map.of(), "all-minilm-l6-v2", "sst2.batches.train", "v1");
        // absent, not null: the request fingerprints of runs requested before the field existed stay the same
        assertThat(new String(JsonRecords.encode(request), StandardCharsets.UTF_8)).doesNotContain("matmul_precision");
        RunRequest pinned = request.withMatmulPrecision("bfloat16");
        byte[] json = JsonRecords.encode(pinned);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"matmul_precision\":\"bfloat16\"");
        assertThat(JsonRecords.decode(json, RunRequest.class, "ptuning.runs-0@3")).isEqualTo(pinned);
        assertThatThrownBy(() -> request.withMatmulPrecision("medium"))
                .hasMessage("matmul_precision 'medium' is not one of float32, bfloat16 (or absent: the trainer's own)");
    }

    @Test
    void checkpointsOfSchemaOneHaveNoRecordedMatmulPrecision() {
        Map<String, String> schemaOne = new java.util.TreeMap<>(new CheckpointMetadata(2, "run-1", 120, 2, 600, false,
                "all-minilm-l6-v2", "sst2.batches.train", "v1", "tok1", "float32").toMap());
        schemaOne.put("schema_version", "1");
        schemaOne.remove("matmul_precision");
        assertThat(CheckpointMetadata.from(schemaOne, "here").matmulPrecision()).isEqualTo(CheckpointMetadata.UNRECORDED);
        Map<String, String> schemaTwo = new java.util.TreeMap<>(schemaOne);
        schemaTwo.put("schema_version", "2");
        assertThatThrownBy(() -> CheckpointMetadata.from(schemaTwo, "ptuning.checkpoints-0@4"))
                .hasMessageContaining("'matmul_precision'");
    }

    @Test
    void aMalformedRunRequestNamesTheRecord() {
        byte[] json = "{\"run_id\":\"r\",\"base_model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonRecords.decode(json, RunRequest.class, "ptuning.runs-0@9"))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("ptuning.runs-0@9")
                .hasMessageContaining("batch_topic is required");
    }

    @Test
    void checkpointMetadataRoundTripsAndNamesAMissingKey() {
        CheckpointMetadata meta = new CheckpointMetadata(2, "run-1", 120, 2, 600, false, "all-minilm-l6-v2",
                "sst2.batches.train", "v1", "tok1", "float32");
        assertThat(CheckpointMetadata.from(meta.toMap(), "here")).isEqualTo(meta);
        Map<String, String> broken = new java.util.TreeMap<>(meta.toMap());
        broken.remove("step");
        assertThatThrownBy(() -> CheckpointMetadata.from(broken, "ptuning.checkpoints-0@4"))
                .hasMessageContaining("ptuning.checkpoints-0@4").hasMessageContaining("'step'");
    }

    @Test
    void metricEventsAreStructuredCloudEventsWithTypedData() {
        Evaluation evaluation = new Evaluation("run-1", 120, 2, false, 872, 0.875, 0.31, 0.874, List.of(0.9, 0.85),
                List.of(0.84, 0.91), List.of(0.87, 0.88), List.of(List.of(360L, 68L), List.of(41L, 403L)),
                "sst2.batches.validation", 2.5);
        byte[] bytes = MetricEvents.encode(MetricEvents.EVALUATOR, MetricEvents.EVALUATION, "run-1", 120, evaluation);
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertThat(json).contains("\"specversion\":\"1.0\"", "\"type\":\"io.ptuning.eval.result\"", "\"subject\":\"run-1\"");
        CloudEvent event = MetricEvents.decode(bytes, "ptuning.eval-metrics-0@0");
        assertThat(event.getId()).isEqualTo("run-1@120/io.ptuning.eval.result");
        assertThat(MetricEvents.data(event, Evaluation.class, "here")).isEqualTo(evaluation);
    }

    @Test
    void aRecordThatIsNotACloudEventNamesItsLocation() {
        assertThatThrownBy(() -> MetricEvents.decode("{oops".getBytes(StandardCharsets.UTF_8), "ptuning.train-metrics-0@5"))
                .isInstanceOf(RecordDecodingException.class).hasMessageContaining("ptuning.train-metrics-0@5");
    }
}
