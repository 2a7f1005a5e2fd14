package io.ptuning.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.weights.SafetensorsFile;
import io.ptuning.weights.TinyModelFolders;
import io.ptuning.weights.cache.ModelCache;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three services as separate processes (their packaged Quarkus apps) on an embedded broker, driven by
 * the launcher over real SST-2 with a tiny random BERT: every checkpoint gets its accuracy event.
 */
class LocalPipelineEndToEndTest {

    @Test
    void everyCheckpointOfARunGetsAnAccuracyEventOnTheWholeDevSplit(@TempDir Path work) throws Exception {
        TinyModelFolders.withRealVocabulary(ModelCache.configured(), "tiny-bert-e2e", 1);
        Path repository = Path.of(System.getProperty("repository.root"));
        int[] ports = FreePorts.three();
        LaunchOptions options = LaunchOptions.parse(new String[] {
            "--sst2", System.getProperty("sst2.dir"),
            "--work", work.toString(),
            "--repository", repository.toString(),
            "--model", "tiny-bert-e2e",
            "--max-steps", "40",
            "--checkpoint-every", "20",
            "--run-id", "e2e-run",
            "--ports", ports[0] + "," + ports[1] + "," + ports[2]});
        assertThat(Preflight.problems(options)).isEmpty();

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LocalPipeline pipeline = new LocalPipeline(options, new PrintStream(console, true, StandardCharsets.UTF_8));
        LocalPipeline.Report report;
        List<CheckpointMetadata> checkpoints;
        try {
            report = pipeline.run();
            checkpoints = checkpointsOf("e2e-run", report.kafka());
        } finally {
            pipeline.stopAll();
            System.out.print(console.toString(StandardCharsets.UTF_8));
        }

        assertThat(report.status().state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(checkpoints).extracting(CheckpointMetadata::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).extracting(Evaluation::step).containsExactly(20L, 40L);
        assertThat(report.evaluations()).allSatisfy(e -> {
            assertThat(e.examples()).isEqualTo(872);
            assertThat(e.accuracy()).isBetween(0.0, 1.0);
        });
        assertThat(report.evaluations().get(1).last()).isTrue();
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("[tokenizing] sst2.batches.train: 67349 rows",
                "[eval]  step    40", "dashboard: http://127.0.0.1:" + ports[2] + "/");
    }


    private static List<CheckpointMetadata> checkpointsOf(String runId, String bootstrap) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        List<CheckpointMetadata> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CHECKPOINTS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (runId.equals(record.key())) {
                        SafetensorsFile file = SafetensorsFile.decode(record.value(), "checkpoint");
                        found.add(CheckpointMetadata.from(file.metadata(), "checkpoint"));
                    }
                }
            }
        }
        return found;
    }
}
