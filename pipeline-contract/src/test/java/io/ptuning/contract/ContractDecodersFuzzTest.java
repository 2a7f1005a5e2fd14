package io.ptuning.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cloudevents.CloudEvent;

/**
 * Every decoder of a record that crosses Kafka, fed arbitrary bytes: it returns a record or throws the one error
 * its javadoc promises ({@link RecordDecodingException}, naming the record), never anything else, never a hang or an
 * allocation sized by a length field. Without {@code JAZZER_FUZZ} each test replays its inputs directory
 * ({@code src/test/resources/io/ptuning/contract/ContractDecodersFuzzTestInputs/<test>}: valid records, garbled
 * ones, and every input a fuzzer found); with it, Jazzer mutates them under coverage guidance
 * ({@code bert-benchmarks/fuzz.sh}, BENCHMARKS.md "Fuzzing").
 */
class ContractDecodersFuzzTest {

    private static final String LOCATION = "fuzz-0@0";

    @FuzzTest
    void batchRecord(byte[] value) {
        try {
            EncodedBatch batch = BatchRecordCodec.decode(value, LOCATION);
            // What consumers do with a batch next must not fail either.
            for (int row = 0; row < batch.batchSize(); row++) {
                batch.tokens(row);
            }
        } catch (RecordDecodingException expected) {
            documented(expected);
        }
    }

    @FuzzTest
    void runRequest(byte[] value) {
        decodeJson(value, RunRequest.class);
    }

    @FuzzTest
    void sweepRequest(byte[] value) {
        SweepRequest sweep = decodeJson(value, SweepRequest.class);
        if (sweep != null) {
            // The trainer expands an accepted sweep into its run requests at once.
            assertThat(sweep.runRequests()).hasSize(sweep.runs().size());
        }
    }

    @FuzzTest
    void runControl(byte[] value) {
        RunControl control = decodeJson(value, RunControl.class);
        if (control != null) {
            control.appliesTo("s1--lr-0_01");
        }
    }

    @FuzzTest
    void metricEvent(byte[] value) {
        try {
            CloudEvent event = MetricEvents.decode(value, LOCATION);
            // Consumers pick the data type from the event type; any event may carry any of them.
            for (Class<?> type : new Class<?>[] {TrainStep.class, RunStatus.class, Evaluation.class}) {
                try {
                    MetricEvents.data(event, type, LOCATION);
                } catch (RecordDecodingException expected) {
                    documented(expected);
                }
            }
        } catch (RecordDecodingException expected) {
            documented(expected);
        }
    }

    private static <T> T decodeJson(byte[] value, Class<T> type) {
        try {
            return JsonRecords.decode(value, type, LOCATION);
        } catch (RecordDecodingException expected) {
            documented(expected);
            return null;
        }
    }

    /**
     * The documented error names the record, and is not a disguise for running out of memory or stack: Jackson wraps
     * whatever a record's constructor throws, {@link OutOfMemoryError} included.
     */
    private static void documented(RecordDecodingException error) {
        assertThat(error.location()).isEqualTo(LOCATION);
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof VirtualMachineError fatal) {
                throw new AssertionError("the decoder ran out of resources: " + fatal, error);
            }
        }
    }
}
