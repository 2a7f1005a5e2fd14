package io.ptuning.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request to train: the value of a {@code ptuning.runs} record, keyed by run id. A run is a pure
 * function of this request and the batch records it names, so a new run over the same topic (another
 * seed, other hyper-parameters) is how users retrain: nothing is re-tokenized.
 *
 * @param preset {@code ptv2} or {@code seed}; {@code overrides} replace any of its values by name
 *     (method, psl, lr, epochs, seed, ...)
 * @param baseModel model cache name, e.g. {@code all-minilm-l6-v2} or {@code bert-base-uncased}
 * @param batchTopic e.g. {@code sst2.batches.train}; only records keyed {@code datasetVersion} are used
 * @param fromOffset first offset of the range (inclusive)
 * @param toOffset end of the range (exclusive); -1 for the end of the topic when the run starts
 * @param checkpointEverySteps emit a checkpoint every K steps (and at each epoch end); 0 for epoch ends only
 * @param maxSteps stop after this many steps (a training budget); 0 for all epochs
 * @param device {@code auto} (GPU when DJL sees one), {@code cpu} or {@code gpu}
 * @param matmulPrecision {@code float32} or {@code bfloat16}: the run must train at this matmul precision, and a
 *     trainer at another refuses it (a replay that must match its original bit for bit names the original's, from
 *     its checkpoints' {@code matmul_precision}); null to train at whatever the trainer is configured for
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunRequest(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("run_id") String runId,
        @JsonProperty("preset") String preset,
        @JsonProperty("overrides") Map<String, String> overrides,
        @JsonProperty("base_model") String baseModel,
        @JsonProperty("batch_topic") String batchTopic,
        @JsonProperty("dataset_version") String datasetVersion,
        @JsonProperty("from_offset") long fromOffset,
        @JsonProperty("to_offset") long toOffset,
        @JsonProperty("checkpoint_every_steps") int checkpointEverySteps,
        @JsonProperty("max_steps") long maxSteps,
        @JsonProperty("device") String device,
        @JsonProperty("matmul_precision") @JsonInclude(JsonInclude.Include.NON_NULL) String matmulPrecision) {

    public static final int SCHEMA_VERSION = 1;
    /** Its {@code ptuning.record} header on {@code ptuning.runs}; a record without that header is a run request too. */
    public static final String RECORD_TYPE = "run_request";
    public static final List<String> MATMUL_PRECISIONS = List.of("float32", "bfloat16");

    public RunRequest {
        Topics.requireNamePart("run_id", runId);
        overrides = overrides == null ? Map.of() : Map.copyOf(new TreeMap<>(overrides));
        preset = preset == null ? "ptv2" : preset;
        device = device == null ? "auto" : device;
        if (baseModel == null || baseModel.isBlank()) {
            throw new IllegalArgumentException("base_model is required (e.g. all-minilm-l6-v2)");
        }
        if (batchTopic == null || batchTopic.isBlank()) {
            throw new IllegalArgumentException("batch_topic is required (e.g. sst2.batches.train)");
        }
        if (fromOffset < 0 || (toOffset != -1 && toOffset < fromOffset)) {
            throw new IllegalArgumentException("offset range [" + fromOffset + ", " + toOffset + ") is empty or negative");
        }
        if (checkpointEverySteps < 0 || maxSteps < 0) {
            throw new IllegalArgumentException("checkpoint_every_steps and max_steps must be >= 0");
        }
        if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("device '" + device + "' is not one of auto, cpu, gpu");
        }
        if (matmulPrecision != null && !MATMUL_PRECISIONS.contains(matmulPrecision)) {
            throw new IllegalArgumentException("matmul_precision '" + matmulPrecision + "' is not one of "
                    + String.join(", ", MATMUL_PRECISIONS) + " (or absent: the trainer's own)");
        }
    }

    /** A request over a whole topic with the current schema. */
    public static RunRequest of(String runId, String preset, Map<String, String> overrides, String baseModel,
            String batchTopic, String datasetVersion) {
        return new RunRequest(SCHEMA_VERSION, runId, preset, overrides, baseModel, batchTopic, datasetVersion, 0, -1,
                0, 0, "auto", null);
    }

    public RunRequest withBudget(int checkpointEverySteps, long maxSteps) {
        return new RunRequest(schemaVersion, runId, preset, overrides, baseModel, batchTopic, datasetVersion,
                fromOffset, toOffset, checkpointEverySteps, maxSteps, device, matmulPrecision);
    }

    public RunRequest withOffsets(long fromOffset, long toOffset) {
        return new RunRequest(schemaVersion, runId, preset, overrides, baseModel, batchTopic, datasetVersion,
                fromOffset, toOffset, checkpointEverySteps, maxSteps, device, matmulPrecision);
    }

    public RunRequest withMatmulPrecision(String matmulPrecision) {
        return new RunRequest(schemaVersion, runId, preset, overrides, baseModel, batchTopic, datasetVersion,
                fromOffset, toOffset, checkpointEverySteps, maxSteps, device, matmulPrecision);
    }

    public RunRequest withDevice(String device) {
        return new RunRequest(schemaVersion, runId, preset, overrides, baseModel, batchTopic, datasetVersion,
                fromOffset, toOffset, checkpointEverySteps, maxSteps, device, matmulPrecision);
    }
}
