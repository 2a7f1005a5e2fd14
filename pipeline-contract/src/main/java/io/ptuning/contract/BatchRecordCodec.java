package io.ptuning.contract;

import io.ptuning.weights.DType;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link EncodedBatch} to and from the safetensors bytes of a batch record (DESIGN.md "Kafka contract").
 *
 * <p>Tensors: {@code input_ids}, {@code attention_mask} [B,T], {@code labels}, {@code example_ids} [B], all I64.
 * {@code __metadata__} (strings, as safetensors requires): {@code record_type=encoded_batch},
 * {@code schema_version}, {@code dataset}, {@code dataset_version}, {@code split}, {@code batch_index},
 * {@code batch_count}, {@code tokenizer_fingerprint}. Encoding is canonical: equal batches give equal bytes.
 */
public final class BatchRecordCodec {

    public static final String RECORD_TYPE = "encoded_batch";
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String LABELS = "labels";
    public static final String EXAMPLE_IDS = "example_ids";

    private BatchRecordCodec() {
    }

    public static byte[] encode(EncodedBatch batch) {
        int b = batch.batchSize();
        int t = batch.sequenceLength();
        Map<String, HostTensor> tensors = new TreeMap<>();
        tensors.put(INPUT_IDS, HostTensor.ofLongs(new long[] {b, t}, batch.inputIds()));
        tensors.put(ATTENTION_MASK, HostTensor.ofLongs(new long[] {b, t}, batch.attentionMask()));
        tensors.put(LABELS, HostTensor.ofLongs(new long[] {b}, batch.labels()));
        tensors.put(EXAMPLE_IDS, HostTensor.ofLongs(new long[] {b}, batch.exampleIds()));
        BatchMetadata m = batch.metadata();
        Map<String, String> metadata = new TreeMap<>();
        metadata.put("record_type", RECORD_TYPE);
        metadata.put("schema_version", String.valueOf(m.schemaVersion()));
        metadata.put("dataset", m.dataset());
        metadata.put("dataset_version", m.datasetVersion());
        metadata.put("split", m.split().wireName());
        metadata.put("batch_index", String.valueOf(m.batchIndex()));
        metadata.put("batch_count", String.valueOf(m.batchCount()));
        metadata.put("tokenizer_fingerprint", m.tokenizerFingerprint());
        return new SafetensorsFile(tensors, metadata).encode();
    }

    /** Decodes the value of the record at {@code topic}/{@code partition}/{@code offset}; errors name all three. */
    public static EncodedBatch decode(byte[] value, String topic, int partition, long offset) {
        return decode(value, RecordDecodingException.location(topic, partition, offset));
    }

    /** Decodes a batch record; {@code location} names it in every error. */
    public static EncodedBatch decode(byte[] value, String location) {
        if (value == null) {
            throw new RecordDecodingException(location, null, "record has no value (tombstone?)", null);
        }
        SafetensorsFile file;
        try {
            file = SafetensorsFile.decode(value, location);
        } catch (IllegalArgumentException e) {
            throw new RecordDecodingException(location, null, "not a safetensors record: " + e.getMessage(), e);
        }
        Map<String, String> meta = file.metadata();
        String type = meta.get("record_type");
        if (!RECORD_TYPE.equals(type)) {
            throw new RecordDecodingException(location, "record_type", "is '" + type + "', expected '" + RECORD_TYPE + "'", null);
        }
        int schema = intField(meta, "schema_version", location);
        if (schema != EncodedBatch.SCHEMA_VERSION) {
            throw new RecordDecodingException(location, "schema_version", "is " + schema + "; this reader understands "
                    + EncodedBatch.SCHEMA_VERSION + " only: upgrade the consumer", null);
        }
        BatchMetadata metadata;
        try {
            metadata = new BatchMetadata(schema, text(meta, "dataset", location), text(meta, "dataset_version", location),
                    split(meta, location), intField(meta, "batch_index", location), intField(meta, "batch_count", location),
                    text(meta, "tokenizer_fingerprint", location));
        } catch (IllegalArgumentException e) {
            throw new RecordDecodingException(location, "__metadata__", e.getMessage(), e);
        }
        HostTensor inputIds = tensor(file, INPUT_IDS, 2, location);
        long[] shape = inputIds.shape();
        HostTensor mask = tensor(file, ATTENTION_MASK, 2, location);
        requireShape(mask, ATTENTION_MASK, shape, location);
        HostTensor labels = tensor(file, LABELS, 1, location);
        requireShape(labels, LABELS, new long[] {shape[0]}, location);
        HostTensor ids = tensor(file, EXAMPLE_IDS, 1, location);
        requireShape(ids, EXAMPLE_IDS, new long[] {shape[0]}, location);
        try {
            return new EncodedBatch(metadata, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]),
                    inputIds.longs(), mask.longs(), labels.longs(), ids.longs());
        } catch (IllegalArgumentException | ArithmeticException e) {
            // The record's own checks name the field (mask values, label range) in the message.
            throw new RecordDecodingException(location, null, e.getMessage(), e);
        }
    }

    private static HostTensor tensor(SafetensorsFile file, String name, int rank, String location) {
        HostTensor tensor = file.tensors().get(name);
        if (tensor == null) {
            throw new RecordDecodingException(location, name, "missing (record has " + file.tensors().keySet() + ")", null);
        }
        if (tensor.dtype() != DType.I64) {
            throw new RecordDecodingException(location, name, "is " + tensor.dtype() + ", expected I64", null);
        }
        if (tensor.shape().length != rank) {
            throw new RecordDecodingException(location, name, "has shape " + Arrays.toString(tensor.shape())
                    + ", expected rank " + rank, null);
        }
        return tensor;
    }

    private static void requireShape(HostTensor tensor, String name, long[] expected, String location) {
        if (!Arrays.equals(tensor.shape(), expected)) {
            throw new RecordDecodingException(location, name, "has shape " + Arrays.toString(tensor.shape())
                    + ", expected " + Arrays.toString(expected) + " to match input_ids", null);
        }
    }

    private static String text(Map<String, String> meta, String key, String location) {
        String value = meta.get(key);
        if (value == null || value.isBlank()) {
            throw new RecordDecodingException(location, key, "missing from __metadata__", null);
        }
        return value;
    }

    private static int intField(Map<String, String> meta, String key, String location) {
        String value = text(meta, key, location);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new RecordDecodingException(location, key, "'" + value + "' is not an integer", e);
        }
    }

    private static Split split(Map<String, String> meta, String location) {
        try {
            return Split.fromWireName(text(meta, "split", location));
        } catch (IllegalArgumentException e) {
            throw new RecordDecodingException(location, "split", e.getMessage(), e);
        }
    }
}
