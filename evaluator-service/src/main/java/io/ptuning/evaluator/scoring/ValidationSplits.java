package io.ptuning.evaluator.scoring;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.RecordDecodingException;
import io.ptuning.contract.kafka.TopicScan;
import io.ptuning.evaluator.config.EvaluatorConfig;
import io.ptuning.training.TrainingBatch;
import io.ptuning.weights.HostTensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jboss.logging.Logger;

/**
 * The validation split a checkpoint is scored on: the latest complete dataset version of the validation batch
 * topic that was made by the checkpoint's tokenizer. A topic may hold several versions (other tokenizers,
 * other batching); each is read and decoded once and cached.
 */
@ApplicationScoped
public class ValidationSplits {

    private static final Logger LOG = Logger.getLogger(ValidationSplits.class);

    private final KafkaClients clients;
    private final int maxMessageBytes;
    /** Complete versions by topic, in the order their last record was written (latest last). */
    private final Map<String, List<ValidationSplit>> complete = new HashMap<>();

    ValidationSplits(EvaluatorConfig config, KafkaClients clients) {
        this.clients = clients;
        this.maxMessageBytes = config.maxMessageBytes();
    }

    /** The latest complete version of {@code topic} whose tokenizer fingerprint is {@code tokenizerFingerprint}. */
    public synchronized ValidationSplit forTokenizer(String topic, String tokenizerFingerprint) {
        ValidationSplit cached = latestMatching(complete.get(topic), tokenizerFingerprint);
        if (cached != null) {
            return cached;
        }
        complete.put(topic, readCompleteVersions(topic));
        ValidationSplit found = latestMatching(complete.get(topic), tokenizerFingerprint);
        if (found == null) {
            List<String> present = complete.get(topic).stream()
                    .map(s -> s.datasetVersion() + " (tokenizer " + s.tokenizerFingerprint() + ")").toList();
            throw new CheckpointRejected("no complete dataset version of " + topic + " was made by the checkpoint's"
                    + " tokenizer " + tokenizerFingerprint + "; complete labelled versions there: " + present
                    + ". Publish the validation split with the model's tokenizer (tokenizer-service POST /publish/validation).");
        }
        return found;
    }

    private static ValidationSplit latestMatching(List<ValidationSplit> splits, String tokenizerFingerprint) {
        if (splits == null) {
            return null;
        }
        ValidationSplit latest = null;
        for (ValidationSplit split : splits) {
            if (split.tokenizerFingerprint().equals(tokenizerFingerprint)) {
                latest = split;
            }
        }
        return latest;
    }

    private List<ValidationSplit> readCompleteVersions(String topic) {
        long start = System.nanoTime();
        Map<String, TreeMap<Integer, EncodedBatch>> byVersion = new HashMap<>();
        Map<String, Long> lastSeen = new HashMap<>();
        AtomicLong order = new AtomicLong();
        try (KafkaConsumer<String, byte[]> consumer = clients.reader(maxMessageBytes,
                "evaluator-validation-reader")) {
            TopicScan<String, byte[]> scan = TopicScan.fromBeginning(consumer, List.of(topic));
            if (scan.partitions().isEmpty()) {
                throw new CheckpointRejected("validation topic " + topic + " does not exist; publish the validation"
                        + " split first (tokenizer-service POST /publish/validation)");
            }
            scan.forEach(record -> {
                String location = RecordDecodingException.location(record.topic(), record.partition(), record.offset());
                try {
                    EncodedBatch batch = BatchRecordCodec.decode(record.value(), location);
                    String version = batch.metadata().datasetVersion();
                    byVersion.computeIfAbsent(version, v -> new TreeMap<>()).put(batch.metadata().batchIndex(), batch);
                    lastSeen.put(version, order.getAndIncrement());
                } catch (RecordDecodingException e) {
                    LOG.warnf("skipping an unreadable validation record: %s", e.getMessage());
                }
            });
        }
        List<ValidationSplit> splits = new ArrayList<>();
        byVersion.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> Long.compare(lastSeen.get(a), lastSeen.get(b))))
                .forEach(entry -> {
                    TreeMap<Integer, EncodedBatch> batches = entry.getValue();
                    EncodedBatch first = batches.firstEntry().getValue();
                    int count = first.metadata().batchCount();
                    boolean labelled = batches.values().stream()
                            .allMatch(b -> java.util.Arrays.stream(b.labels()).allMatch(l -> l >= 0));
                    if (batches.size() == count && labelled) {
                        List<TrainingBatch> training = batches.values().stream().map(ValidationSplits::toTrainingBatch).toList();
                        long examples = batches.values().stream().mapToLong(EncodedBatch::batchSize).sum();
                        splits.add(new ValidationSplit(topic, entry.getKey(), first.metadata().tokenizerFingerprint(),
                                training, examples));
                    } else {
                        LOG.infof("%s version %s is not usable: %d of %d batches%s", topic, entry.getKey(),
                                batches.size(), count, labelled ? "" : ", unlabelled rows");
                    }
                });
        LOG.infof("read %s: %d complete labelled versions in %.2f s", topic, splits.size(), (System.nanoTime() - start) / 1e9);
        return splits;
    }

    private static TrainingBatch toTrainingBatch(EncodedBatch batch) {
        long[] shape = {batch.batchSize(), batch.sequenceLength()};
        return new TrainingBatch(HostTensor.ofLongs(shape, batch.inputIds()), HostTensor.ofLongs(shape, batch.attentionMask()),
                HostTensor.ofLongs(new long[] {batch.batchSize()}, batch.labels()));
    }
}
