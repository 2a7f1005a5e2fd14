package io.ptuning.launcher;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.weights.SafetensorsFile;
import java.util.Map;
import java.util.TreeMap;

/** How the tests compare the checkpoints of two runs of one request. */
final class Checkpoints {

    private Checkpoints() {
    }

    static CheckpointMetadata metadata(SafetensorsFile checkpoint) {
        return CheckpointMetadata.from(checkpoint.metadata(), "checkpoint");
    }

    /** The checkpoint's bytes with the run id replaced: what two runs of one request must share. */
    static byte[] withoutRunId(SafetensorsFile checkpoint) {
        Map<String, String> metadata = new TreeMap<>(checkpoint.metadata());
        metadata.put("run_id", "-");
        return new SafetensorsFile(checkpoint.tensors(), metadata).encode();
    }
}
