package io.ptuning.tokenizer.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.Split;
import io.ptuning.kafka.embedded.SharedKafka;
import io.ptuning.weights.batching.BatchingSettings;
import io.ptuning.tokenizer.publish.BatchTopicPublisher;
import io.ptuning.tokenizer.publish.DatasetPublisher;
import io.ptuning.tokenizer.publish.DatasetSource;
import io.ptuning.tokenizer.publish.PublishProgress;
import io.ptuning.tokenizer.publish.PublishReport;
import io.ptuning.tokenizer.publish.SplitPreparer;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Rows/s from the SST-2 train file to committed Kafka records, on the embedded broker, without Quarkus.
 * Runs only with {@code -Dbenchmark}: see README.md "Benchmark".
 */
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class PublishBenchmarkTest {

    private static final int RUNS = 3;

    @Test
    void sst2TrainFromFileToCommittedRecords() {
        Path train = Path.of(System.getProperty("sst2.dir")).resolve("train.tsv");
        try (BertTokenizer tokenizer = BertTokenizer.load(
                ModelCache.configured().resolve(ModelArtifact.ALL_MINILM_L6_V2).path(), 128)) {
            DatasetPublisher publisher = new DatasetPublisher(
                    new SplitPreparer(tokenizer, new BatchingSettings(32, 50, 42)),
                    new BatchTopicPublisher(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()),
                            new BatchTopicPublisher.KafkaSettings(16 * 1024 * 1024, (short) 1, Duration.ofMinutes(5),
                                    "benchmark.")),
                    new PublishProgress());
            System.out.printf("%nbenchmark: SST-2 train %s, batch 32, max length 128, %d cores, embedded broker%n",
                    train, Runtime.getRuntime().availableProcessors());
            for (int run = 1; run <= RUNS; run++) {
                // A new dataset name per run: a new version on a new topic, so every run really publishes.
                PublishReport report = publisher.publish(new DatasetSource("bench" + run, Split.TRAIN, train));
                assertThat(report.status()).isEqualTo(PublishReport.Status.PUBLISHED);
                System.out.printf("benchmark run %d: %d rows, %d batches in %.2f s = %.0f rows/s (file to committed"
                        + " records), padding %.2f%%%n", run, report.rows(), report.batches(), report.seconds(),
                        report.rowsPerSecond(), 100 * report.paddingRatio());
            }
        }
    }
}
