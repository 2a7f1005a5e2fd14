package io.ptuning.evaluator.scoring;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.weights.SafetensorsFile;

/** A decoded {@code ptuning.checkpoints} record: the trainable tensors and what the record says about itself. */
public record Checkpoint(SafetensorsFile file, CheckpointMetadata metadata, String location) {

    /** Decodes a record value; anything that is not a checkpoint of the contract is {@link CheckpointRejected}. */
    public static Checkpoint decode(byte[] value, String location) {
        if (value == null) {
            throw new CheckpointRejected(location + ": record has no value (tombstone?)");
        }
        SafetensorsFile file;
        try {
            file = SafetensorsFile.decode(value, location);
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejected(location + ": not a safetensors checkpoint: " + e.getMessage(), e);
        }
        try {
            return new Checkpoint(file, CheckpointMetadata.from(file.metadata(), location), location);
        } catch (RecordDecodingException e) {
            throw new CheckpointRejected(e.getMessage(), e);
        }
    }
}
