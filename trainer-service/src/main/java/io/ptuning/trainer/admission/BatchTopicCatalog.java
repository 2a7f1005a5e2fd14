package io.ptuning.trainer.admission;

import io.ptuning.trainer.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * What the broker holds of a batch topic, as a run request names it: the topic with its one partition, the offset
 * range within its committed records, and at least one batch of the dataset version in that range.
 */
public final class BatchTopicCatalog {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How many other dataset versions a problem names. */
    private static final int VERSIONS_NAMED = 10;

    private final KafkaClients kafka;

    public BatchTopicCatalog(KafkaClients kafka) {
        this.kafka = kafka;
    }

    /**
     * Every problem with reading {@code [from, to)} of {@code topic} for {@code datasetVersion} (null: any version);
     * {@code to} = -1 is the topic's end. Empty when a run can read it.
     */
    public List<String> problems(String topic, String datasetVersion, long from, long to) {
        List<String> problems = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = kafka.readCommittedConsumer()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                problems.add("batch_topic " + topic + " does not exist: publish the dataset first (tokenizer-service"
                        + " POST /publish/{split})");
                return problems;
            }
            if (partitions.size() != 1) {
                problems.add("batch_topic " + topic + " has " + partitions.size() + " partitions; a run's offsets name"
                        + " one order, so batch topics have exactly one");
                return problems;
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long until = to < 0 ? end : to;
            if (until > end) {
                problems.add("to_offset " + to + " is past the end of " + topic + " (last committed offset " + end + ")");
                until = end;
            }
            if (from >= until) {
                problems.add("[from_offset, to_offset) = [" + from + ", " + until + ") of " + topic
                        + " holds no record (the topic ends at " + end + ")");
                return problems;
            }
            if (datasetVersion != null) {
                Set<String> others = new TreeSet<>();
                if (!holdsVersion(consumer, partition, from, until, datasetVersion, others)) {
                    problems.add("dataset_version '" + datasetVersion + "' has no batch in [" + from + ", " + until
                            + ") of " + topic + (others.isEmpty() ? "" : " (versions there: " + String.join(", ", others)
                                    + (others.size() == VERSIONS_NAMED ? ", ..." : "") + ")"));
                }
            }
        } catch (KafkaException e) {
            problems.add("batch_topic " + topic + " cannot be read: " + e.getMessage());
        }
        return problems;
    }

    private static boolean holdsVersion(KafkaConsumer<String, byte[]> consumer, TopicPartition partition, long from,
            long until, String version, Set<String> others) {
        consumer.seek(partition, from);
        while (consumer.position(partition) < until) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (record.offset() >= until) {
                    return false;
                }
                if (version.equals(record.key())) {
                    return true;
                }
                if (others.size() < VERSIONS_NAMED && record.key() != null) {
                    others.add(record.key());
                }
            }
        }
        return false;
    }
}
