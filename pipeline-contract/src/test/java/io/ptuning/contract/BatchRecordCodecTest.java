package io.ptuning.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BatchRecordCodecTest {

    private static final BatchMetadata METADATA = BatchMetadata.of("sst2", "v-abc123", Split.VALIDATION, 3, 28, "tok-42");

    private static EncodedBatch batch() {
        return new EncodedBatch(METADATA, 2, 4,
                new long[] {101, 2023, 102, 0, 101, 2307, 3185, 102},
                new long[] {1, 1, 1, 0, 1, 1, 1, 1},
                new long[] {1, 0},
                new long[] {17, 4});
    }

    @Test
    void aBatchSurvivesEncodeAndDecode() {
        EncodedBatch decoded = BatchRecordCodec.decode(BatchRecordCodec.encode(batch()), "sst2.batches.validation", 0, 7);

        assertThat(decoded).isEqualTo(batch());
        assertThat(decoded.metadata()).isEqualTo(METADATA);
        assertThat(decoded.tokens(0)).containsExactly(101, 2023, 102);
        assertThat(decoded.tokens(1)).containsExactly(101, 2307, 3185, 102);
        assertThat(decoded.paddingTokens()).isEqualTo(1);
    }

    @Test
    void equalBatchesEncodeToEqualBytes() {
        assertThat(BatchRecordCodec.encode(batch())).isEqualTo(BatchRecordCodec.encode(batch()));
    }

    @Test
    void theRecordIsPlainSafetensorsWithTheContractNamesAndMetadata() {
        SafetensorsFile file = SafetensorsFile.decode(BatchRecordCodec.encode(batch()), "test");

        assertThat(file.tensors().keySet()).containsExactly("attention_mask", "example_ids", "input_ids", "labels");
        assertThat(file.tensor("input_ids").shape()).containsExactly(2, 4);
        assertThat(file.tensor("labels").longs()).containsExactly(1, 0);
        assertThat(file.metadata()).containsEntry("schema_version", "1")
                .containsEntry("dataset", "sst2")
                .containsEntry("dataset_version", "v-abc123")
                .containsEntry("split", "validation")
                .containsEntry("batch_index", "3")
                .containsEntry("batch_count", "28")
                .containsEntry("tokenizer_fingerprint", "tok-42");
    }

    @Test
    void garbageIsRejectedNamingTopicPartitionAndOffset() {
        assertThatThrownBy(() -> BatchRecordCodec.decode(new byte[] {1, 2, 3}, "sst2.batches.train", 0, 12))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageStartingWith("sst2.batches.train-0@12: not a safetensors record");
    }

    @Test
    void aMissingTensorIsRejectedNamingTheField() {
        assertThatThrownBy(() -> BatchRecordCodec.decode(withoutTensor("labels"), "sst2.batches.train", 1, 5))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("sst2.batches.train-1@5")
                .hasMessageContaining("field 'labels': missing")
                .extracting(e -> ((RecordDecodingException) e).field()).isEqualTo("labels");
    }

    @Test
    void aLabelsTensorOfTheWrongLengthIsRejected() {
        SafetensorsFile original = SafetensorsFile.decode(BatchRecordCodec.encode(batch()), "test");
        Map<String, HostTensor> tensors = new TreeMap<>(original.tensors());
        tensors.put("labels", HostTensor.ofLongs(new long[] {3}, new long[] {1, 0, 1}));
        byte[] bad = new SafetensorsFile(tensors, original.metadata()).encode();

        assertThatThrownBy(() -> BatchRecordCodec.decode(bad, "t", 0, 0))
                .hasMessageContaining("field 'labels': has shape [3], expected [2]");
    }

    @Test
    void aNewerSchemaVersionIsRejectedWithWhatToDo() {
        SafetensorsFile original = SafetensorsFile.decode(BatchRecordCodec.encode(batch()), "test");
        Map<String, String> metadata = new TreeMap<>(original.metadata());
        metadata.put("schema_version", "2");
        byte[] future = new SafetensorsFile(original.tensors(), metadata).encode();

        assertThatThrownBy(() -> BatchRecordCodec.decode(future, "t", 0, 0))
                .hasMessageContaining("field 'schema_version': is 2; this reader understands 1 only: upgrade the consumer");
    }

    @Test
    void anAttentionMaskOtherThanZeroOrOneIsRejected() {
        assertThatThrownBy(() -> new EncodedBatch(METADATA, 1, 2, new long[] {101, 102}, new long[] {1, 2},
                new long[] {0}, new long[] {0}))
                .hasMessageContaining("attention_mask holds 2");
    }

    @Test
    void batchTopicsAreNamedByDatasetAndSplit() {
        assertThat(Topics.batches("sst2", Split.TRAIN)).isEqualTo("sst2.batches.train");
        assertThat(Topics.batches("sst2", Split.VALIDATION)).isEqualTo("sst2.batches.validation");
        assertThat(Topics.deadLetter("ptuning.checkpoints")).isEqualTo("ptuning.checkpoints.dlq");
        assertThatThrownBy(() -> Topics.batches("sst.2", Split.TEST)).hasMessageContaining("dataset 'sst.2'");
    }

    @Test
    void theKafkaSerdeRoundTrips() {
        byte[] bytes = new EncodedBatchSerializer().serialize("sst2.batches.validation", batch());
        assertThat(new EncodedBatchDeserializer().deserialize("sst2.batches.validation", bytes)).isEqualTo(batch());
    }

    private static byte[] withoutTensor(String name) {
        SafetensorsFile original = SafetensorsFile.decode(BatchRecordCodec.encode(batch()), "test");
        Map<String, HostTensor> tensors = new TreeMap<>(original.tensors());
        tensors.remove(name);
        return new SafetensorsFile(tensors, original.metadata()).encode();
    }
}
