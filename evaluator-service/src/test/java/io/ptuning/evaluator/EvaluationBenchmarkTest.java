package io.ptuning.evaluator;

import io.ptuning.kafka.embedded.EmbeddedKafkaResource;
import ai.djl.ndarray.NDManager;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.CheckpointMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.Evaluation;
import io.ptuning.contract.MetricEvents;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Seconds from a checkpoint record to its accuracy event on the 872 SST-2 dev sentences, per base model.
 * Opt-in: {@code -Dbenchmark.models=all-minilm-l6-v2,bert-base-uncased}. Per model, the first
 * checkpoint is cold (the service loads the base model and reads the split), the next ones are warm
 * ({@code -Dbenchmark.warm-runs}, default 2).
 * Figures are appended to {@code target/evaluation-benchmark.txt}.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
class EvaluationBenchmarkTest {

    static final int WARM_RUNS = Integer.getInteger("benchmark.warm-runs", 2);

    @Test
    void secondsFromCheckpointRecordToAccuracyEvent() throws Exception {
        String models = System.getProperty("benchmark.models", "");
        Assumptions.assumeFalse(models.isBlank(), "benchmark not requested (-Dbenchmark.models=all-minilm-l6-v2,bert-base-uncased)");
        for (String name : models.split(",")) {
            benchmark(ModelArtifact.byName(name.trim()));
        }
    }

    private void benchmark(ModelArtifact artifact) throws Exception {
        ModelFolder folder = ModelCache.configured().resolve(artifact);
        String run = "benchmark-" + artifact.modelName();
        try (BertTokenizer tokenizer = BertTokenizer.load(folder.path(), 128); NDManager manager = NDManager.newBaseManager()) {
            String version = "benchmark-dev-" + tokenizer.fingerprint().substring(0, 12);
            List<EncodedBatch> dev = Sst2.batches(Sst2.rows("dev.tsv", tokenizer), 32, version, tokenizer.fingerprint());
            Topics.sendAll("sst2.batches.validation", dev.stream().map(b -> Map.entry(version, BatchRecordCodec.encode(b))).toList());
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            double[] seconds = new double[WARM_RUNS + 1];
            double[] serviceSeconds = new double[WARM_RUNS + 1];
            for (int i = 0; i <= WARM_RUNS; i++) {
                long step = i + 1;
                byte[] checkpoint;
                try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(20), i, manager)) {
                    checkpoint = model.checkpoint(new CheckpointMetadata(CheckpointMetadata.SCHEMA_VERSION, run, step, 0,
                            WARM_RUNS + 1, false, artifact.modelName(), "sst2.batches.train", "benchmark",
                            tokenizer.fingerprint(), MatmulPrecision.inForce().precision().id()).toMap()).encode();
                }
                long sent = System.nanoTime();
                Topics.send(io.ptuning.contract.Topics.CHECKPOINTS, run, checkpoint);
                ConsumerRecord<String, byte[]> record = Topics.await(io.ptuning.contract.Topics.EVAL_METRICS,
                        r -> run.equals(r.key()) && CheckpointEvaluationTest.step(r) == step, Duration.ofMinutes(9));
                seconds[i] = (System.nanoTime() - sent) / 1e9;
                serviceSeconds[i] = MetricEvents.data(MetricEvents.decode(record.value(), "b"), Evaluation.class, "b").seconds();
            }
            double warm = Arrays.stream(seconds, 1, seconds.length).average().orElseThrow();
            String line = String.format("%s psl-20 prefix, %d dev sentences in %d length-sorted batches of 32, %d cores:"
                    + " cold %.2f s (service %.2f s), warm mean %.2f s over %d (service %s s)%n",
                    artifact.modelName(), dev.stream().mapToInt(EncodedBatch::batchSize).sum(), dev.size(),
                    Runtime.getRuntime().availableProcessors(), seconds[0], serviceSeconds[0], warm, WARM_RUNS,
                    Arrays.toString(Arrays.stream(serviceSeconds, 1, serviceSeconds.length)
                            .mapToObj(s -> String.format("%.2f", s)).toArray()));
            System.out.print(line);
            write(line);
        }
    }

    private static void write(String line) throws IOException {
        Files.writeString(Path.of("target", "evaluation-benchmark.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
