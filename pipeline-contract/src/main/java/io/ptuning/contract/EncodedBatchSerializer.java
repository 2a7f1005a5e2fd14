package io.ptuning.contract;

import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for batch records. */
public class EncodedBatchSerializer implements Serializer<EncodedBatch> {

    @Override
    public byte[] serialize(String topic, EncodedBatch batch) {
        return batch == null ? null : BatchRecordCodec.encode(batch);
    }
}
