package io.ptuning.evaluator.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Checkpoint#decode}, fed arbitrary bytes as a {@code ptuning.checkpoints} record value: a checkpoint or
 * {@link CheckpointRejected} naming the record (what the consumer sends to the dead-letter topic), nothing else.
 * Seeds and findings: {@code src/test/resources/io/ptuning/evaluator/scoring/CheckpointFuzzTestInputs/}.
 */
class CheckpointFuzzTest {

    private static final String LOCATION = "ptuning.checkpoints-0@0";

    @FuzzTest
    void checkpointRecord(byte[] value) {
        try {
            Checkpoint checkpoint = Checkpoint.decode(value, LOCATION);
            // A decoded tensor has no negative dimension and holds exactly its elements' bytes.
            checkpoint.file().tensors().values().forEach(tensor -> {
                assertThat(java.util.Arrays.stream(tensor.shape())).allSatisfy(dim -> assertThat(dim).isNotNegative());
                assertThat(tensor.data()).hasSize(Math.toIntExact(
                        Math.multiplyExact(tensor.elementCount(), (long) tensor.dtype().bytes())));
            });
        } catch (CheckpointRejected expected) {
            assertThat(expected.getMessage()).startsWith(LOCATION);
        }
    }
}
