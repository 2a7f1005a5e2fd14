package io.ptuning.trainer.checkpoint;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A run's committed progress, the value of its record on the compacted state topic: everything a restarted trainer
 * needs to take exactly the steps an uninterrupted one would. The batch order is a function of the step (see
 * {@code TrainingLoop}), so the step is also the input position; the resolved offset range pins the input itself.
 *
 * <p>Encoded as one safetensors file: the model checkpoint's tensors under {@code model/}, the optimizer state's under
 * {@code optimizer/}, their metadata likewise prefixed, and this record's fields under {@code state.}.
 *
 * @param status {@code running} (training), {@code completed}, {@code failed} or {@code cancelled} (stopped for good by a
 *     control record; never resumed)
 * @param matmulPrecision the matmul precision the run trains at ({@code bert-prompt}'s {@code MatmulPrecision});
 *     a resume at another would not be bit-identical. {@value CheckpointMetadata#UNRECORDED} in states written before
 *     it was recorded
 * @param model trainable tensors at {@code step}; absent before the first checkpoint
 * @param optimizer optimizer moments and step at {@code step}; absent before the first checkpoint
 */
public record RunState(
        String runId,
        String requestFingerprint,
        String status,
        long step,
        int epoch,
        long fromOffset,
        long toOffset,
        String matmulPrecision,
        String reason,
        Optional<SafetensorsFile> model,
        Optional<SafetensorsFile> optimizer) {

    public static final String RECORD_TYPE = "trainer_state";
    public static final int SCHEMA_VERSION = 1;
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    private static final String MODEL = "model/";
    private static final String OPTIMIZER = "optimizer/";
    private static final String STATE = "state.";

    public static RunState started(String runId, String requestFingerprint, long fromOffset, long toOffset,
            String matmulPrecision) {
        return new RunState(runId, requestFingerprint, RUNNING, 0, 0, fromOffset, toOffset, matmulPrecision, "",
                Optional.empty(), Optional.empty());
    }

    public RunState failed(String why) {
        return new RunState(runId, requestFingerprint, FAILED, step, epoch, fromOffset, toOffset, matmulPrecision, why,
                model, optimizer);
    }

    /** The same progress, stopped for good: a trainer that meets this state acknowledges the run without training. */
    public RunState cancelled(String why) {
        return new RunState(runId, requestFingerprint, CANCELLED, step, epoch, fromOffset, toOffset, matmulPrecision,
                why, model, optimizer);
    }

    /** This run at a checkpoint: {@code stepsDone}, the trainable tensors and the optimizer state there. */
    public RunState checkpointed(long stepsDone, int epoch, boolean last, SafetensorsFile model,
            SafetensorsFile optimizer) {
        return new RunState(runId, requestFingerprint, last ? COMPLETED : RUNNING, stepsDone, epoch, fromOffset, toOffset,
                matmulPrecision, "", Optional.of(model), Optional.of(optimizer));
    }

    /** The same progress, from now on at {@code precision} (a state that had none recorded). */
    public RunState withMatmulPrecision(String precision) {
        return new RunState(runId, requestFingerprint, status, step, epoch, fromOffset, toOffset, precision, reason,
                model, optimizer);
    }

    public boolean completed() {
        return COMPLETED.equals(status);
    }

    public boolean hasFailed() {
        return FAILED.equals(status);
    }

    public boolean isCancelled() {
        return CANCELLED.equals(status);
    }

    public byte[] encode() {
        Map<String, HostTensor> tensors = new TreeMap<>();
        Map<String, String> metadata = new TreeMap<>();
        model.ifPresent(file -> add(MODEL, file, tensors, metadata));
        optimizer.ifPresent(file -> add(OPTIMIZER, file, tensors, metadata));
        metadata.put("record_type", RECORD_TYPE);
        metadata.put("schema_version", Integer.toString(SCHEMA_VERSION));
        metadata.put(STATE + "run_id", runId);
        metadata.put(STATE + "request_fingerprint", requestFingerprint);
        metadata.put(STATE + "status", status);
        metadata.put(STATE + "step", Long.toString(step));
        metadata.put(STATE + "epoch", Integer.toString(epoch));
        metadata.put(STATE + "from_offset", Long.toString(fromOffset));
        metadata.put(STATE + "to_offset", Long.toString(toOffset));
        metadata.put(STATE + "matmul_precision", matmulPrecision);
        metadata.put(STATE + "reason", reason);
        metadata.put(STATE + "has_tensors", Boolean.toString(model.isPresent()));
        return new SafetensorsFile(tensors, metadata).encode();
    }

    public static RunState decode(byte[] bytes, String location) {
        SafetensorsFile file = SafetensorsFile.decode(bytes, location);
        Map<String, String> m = file.metadata();
        if (!RECORD_TYPE.equals(m.get("record_type"))) {
            throw new IllegalArgumentException(location + ": not a trainer state record (record_type "
                    + m.get("record_type") + ")");
        }
        if (!Integer.toString(SCHEMA_VERSION).equals(m.get("schema_version"))) {
            throw new IllegalArgumentException(location + ": trainer state schema " + m.get("schema_version")
                    + " is not " + SCHEMA_VERSION + ": this trainer cannot resume it");
        }
        boolean hasTensors = Boolean.parseBoolean(m.get(STATE + "has_tensors"));
        return new RunState(m.get(STATE + "run_id"), m.get(STATE + "request_fingerprint"), m.get(STATE + "status"),
                Long.parseLong(m.get(STATE + "step")), Integer.parseInt(m.get(STATE + "epoch")),
                Long.parseLong(m.get(STATE + "from_offset")), Long.parseLong(m.get(STATE + "to_offset")),
                m.getOrDefault(STATE + "matmul_precision", CheckpointMetadata.UNRECORDED), m.get(STATE + "reason"),
                hasTensors ? Optional.of(part(MODEL, file)) : Optional.empty(),
                hasTensors ? Optional.of(part(OPTIMIZER, file)) : Optional.empty());
    }

    private static void add(String prefix, SafetensorsFile file, Map<String, HostTensor> tensors,
            Map<String, String> metadata) {
        file.tensors().forEach((name, tensor) -> tensors.put(prefix + name, tensor));
        file.metadata().forEach((key, value) -> metadata.put(prefix + key, value));
    }

    private static SafetensorsFile part(String prefix, SafetensorsFile file) {
        Map<String, HostTensor> tensors = new TreeMap<>();
        Map<String, String> metadata = new TreeMap<>();
        file.tensors().forEach((name, tensor) -> {
            if (name.startsWith(prefix)) {
                tensors.put(name.substring(prefix.length()), tensor);
            }
        });
        file.metadata().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                metadata.put(key.substring(prefix.length()), value);
            }
        });
        return new SafetensorsFile(tensors, metadata);
    }
}
