package io.ptuning.trainer;

import io.ptuning.contract.BatchMetadata;
import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Split;
import io.ptuning.kafka.embedded.CommittedRecords;
import io.ptuning.kafka.embedded.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Batch topics as the tokenizer-service writes them (one partition, key = dataset version, BatchRecordCodec values),
 * filled with a learnable synthetic task: a row's label says whether it holds word 5 or word 6 somewhere.
 */
public final class BatchTopics {

    public static final String VERSION = "v-synthetic";

    private BatchTopics() {}

    public static List<EncodedBatch> synthetic(int count, int batchSize, String tokenizerFingerprint, long seed) {
        Random random = new Random(seed);
        List<EncodedBatch> batches = new ArrayList<>();
        int maxLength = 12;
        for (int b = 0; b < count; b++) {
            long[] ids = new long[batchSize * maxLength];
            long[] mask = new long[batchSize * maxLength];
            long[] labels = new long[batchSize];
            long[] exampleIds = new long[batchSize];
            for (int row = 0; row < batchSize; row++) {
                int length = 4 + random.nextInt(maxLength - 4 + 1);
                labels[row] = random.nextInt(2);
                exampleIds[row] = (long) b * batchSize + row;
                int marker = 1 + random.nextInt(length - 2);
                for (int t = 0; t < length; t++) {
                    ids[row * maxLength + t] = t == 0 ? 2 : t == length - 1 ? 3 : t == marker ? 5 + labels[row]
                            : 7 + random.nextInt(TinyModel.CONFIG.vocabSize() - 7);
                    mask[row * maxLength + t] = 1;
                }
            }
            batches.add(new EncodedBatch(BatchMetadata.of("synthetic", VERSION, Split.TRAIN, b, count,
                    tokenizerFingerprint), batchSize, maxLength, ids, mask, labels, exampleIds));
        }
        return batches;
    }

    /** Creates the one-partition topic and sends the values in order, keyed by the dataset version. */
    public static void publish(String topic, List<byte[]> values) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, 0, VERSION, value));
            }
            producer.flush();
        }
    }

    public static List<byte[]> encoded(List<EncodedBatch> batches) {
        return batches.stream().map(BatchRecordCodec::encode).toList();
    }

    /** Every committed record of {@code topic} keyed {@code key} (null: all), waiting up to 60 s for at least {@code atLeast}. */
    public static List<ConsumerRecord<String, byte[]>> read(String topic, String key, int atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<ConsumerRecord<String, byte[]>> found;
        do {
            found = readOnce(topic, key);
            if (found.size() >= atLeast) {
                return found;
            }
            sleep();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("only " + found.size() + " records keyed " + key + " on " + topic + " after 60 s");
    }

    private static List<ConsumerRecord<String, byte[]>> readOnce(String topic, String key) {
        return CommittedRecords.read(SharedKafka.bootstrapServers(), topic, key);
    }

    private static void sleep() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
