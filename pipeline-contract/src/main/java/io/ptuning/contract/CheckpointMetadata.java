package io.ptuning.contract;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@code ptuning.checkpoints} record says about itself in its safetensors {@code __metadata__},
 * beside the model library's own keys (method config, {@code base_model_fingerprint}). The record value
 * holds the trainable tensors only; any safetensors reader opens it.
 *
 * @param step optimizer steps done when the checkpoint was taken
 * @param epoch the epoch the step belongs to, from 1: the last checkpoint of a two-epoch run says 2
 * @param last true for the run's final checkpoint
 * @param matmulPrecision how the trainer multiplied float32 matrices, {@code float32} or {@code bfloat16}
 *     ({@code bert-prompt}'s {@code MatmulPrecision}): a replay is bit-identical only at the same precision;
 *     {@value #UNRECORDED} in checkpoints of schema 1, which did not record it
 */
public record CheckpointMetadata(
        int schemaVersion,
        String runId,
        long step,
        int epoch,
        long totalSteps,
        boolean last,
        String baseModel,
        String batchTopic,
        String datasetVersion,
        String tokenizerFingerprint,
        String matmulPrecision) {

    public static final int SCHEMA_VERSION = 2;
    public static final String UNRECORDED = "unrecorded";

    public Map<String, String> toMap() {
        Map<String, String> m = new TreeMap<>();
        m.put("schema_version", Integer.toString(schemaVersion));
        m.put("run_id", runId);
        m.put("step", Long.toString(step));
        m.put("epoch", Integer.toString(epoch));
        m.put("total_steps", Long.toString(totalSteps));
        m.put("final", Boolean.toString(last));
        m.put("base_model", baseModel);
        m.put("batch_topic", batchTopic);
        m.put("dataset_version", datasetVersion);
        m.put("tokenizer_fingerprint", tokenizerFingerprint);
        m.put("matmul_precision", matmulPrecision);
        return m;
    }

    /** Reads the contract keys of a checkpoint's metadata; {@code location} names the record in errors. */
    public static CheckpointMetadata from(Map<String, String> m, String location) {
        try {
            int schema = Integer.parseInt(require(m, "schema_version", location));
            return new CheckpointMetadata(
                    schema,
                    require(m, "run_id", location),
                    Long.parseLong(require(m, "step", location)),
                    Integer.parseInt(require(m, "epoch", location)),
                    Long.parseLong(require(m, "total_steps", location)),
                    Boolean.parseBoolean(require(m, "final", location)),
                    require(m, "base_model", location),
                    require(m, "batch_topic", location),
                    require(m, "dataset_version", location),
                    require(m, "tokenizer_fingerprint", location),
                    schema < 2 ? UNRECORDED : require(m, "matmul_precision", location));
        } catch (NumberFormatException e) {
            throw new RecordDecodingException(location, null, "checkpoint metadata has a malformed number: " + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> m, String key, String location) {
        String value = m.get(key);
        if (value == null) {
            throw new RecordDecodingException(location, key, "missing from the checkpoint's __metadata__", null);
        }
        return value;
    }
}
