package io.ptuning.contract;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for batch records. Kafka does not pass the offset to a deserializer, so its errors
 * name the topic only; consumers that route bad records to a dead-letter topic read {@code byte[]} values and
 * call {@link BatchRecordCodec#decode(byte[], String, int, long)} themselves.
 */
public class EncodedBatchDeserializer implements Deserializer<EncodedBatch> {

    @Override
    public EncodedBatch deserialize(String topic, byte[] data) {
        return data == null ? null : BatchRecordCodec.decode(data, topic);
    }
}
