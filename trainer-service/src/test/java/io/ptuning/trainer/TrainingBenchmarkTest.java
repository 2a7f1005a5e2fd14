package io.ptuning.trainer;

import ai.djl.Device;
import io.ptuning.bert.BaseModel;
import io.ptuning.contract.BatchMetadata;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.Split;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.trainer.run.RunExecutor;
import io.ptuning.trainer.run.RunObserver;
import io.ptuning.trainer.run.RunOutcome;
import io.ptuning.trainer.run.TrainerComponents;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.TrainingBatch;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import io.ptuning.trainer.batches.BatchRangeReader;
import io.ptuning.trainer.batches.DeadLetterPublisher;
import io.ptuning.trainer.kafka.TopicSetup;
import io.ptuning.weights.tokenizer.BertTokenizer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Training examples/s of a real model on SST-2 train through the whole Kafka path (batch topic, run executor,
 * checkpoint transactions, metric events) beside the model library alone on the same batches. Runs only with
 * {@code -Dbenchmark}; {@code -Dbenchmark.model=bert-base-uncased} and {@code -Dbenchmark.steps=N} choose. See README.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class TrainingBenchmarkTest {

    @Inject
    TrainerComponents components;

    @Test
    void kafkaPathBesideLibraryAlone() throws IOException {
        String model = System.getProperty("benchmark.model", "all-minilm-l6-v2");
        int steps = Integer.getInteger("benchmark.steps", 200);
        int checkpointEvery = Integer.getInteger("benchmark.checkpoint-every", 50);
        BaseModel base = components.models().get(model, Device.cpu());
        String tokenizerFingerprint = base.tokenizer(components.settings().tokenizerMaxLength()).fingerprint();
        List<EncodedBatch> batches = sst2Batches(model, tokenizerFingerprint, steps, 32);
        String topic = "sst2bench.batches.train";
        BatchTopics.publish(topic, BatchTopics.encoded(batches));
        // Decoded by the service's own reader (not timed): the library-alone runs train on exactly these batches.
        List<TrainingBatch> training = new BatchRangeReader(components.clients(),
                new DeadLetterPublisher(components.producer(), new TopicSetup(components.settings())), Long.MAX_VALUE)
                .read(topic, 0, -1, BatchTopics.VERSION, tokenizerFingerprint, "benchmark").batches();
        RunRequest request = RunRequest.of("bench-" + model, "ptv2", Map.of(), model, topic, BatchTopics.VERSION)
                .withBudget(checkpointEvery, steps).withDevice("cpu");

        double library = libraryAlone(base, request, training, steps);
        long start = System.nanoTime();
        RunOutcome outcome = components.executor(RunObserver.NONE).execute(request, RunExecutor.Interruption.NEVER);
        double wall = (System.nanoTime() - start) / 1e9;
        long examples = training.stream().limit(steps).mapToLong(TrainingBatch::size).sum();
        double library2 = libraryAlone(base, request, training, steps);
        System.out.printf("%nbenchmark %s: %d steps of batch 32 (mean real length %.1f), checkpoint every %d, %d cores%n",
                model, steps, batches.stream().mapToDouble(b -> (double) (b.totalTokens() - b.paddingTokens()) / b.batchSize())
                        .average().orElse(0), checkpointEvery, Runtime.getRuntime().availableProcessors());
        System.out.printf("  library alone (before): %.1f examples/s%n", library);
        System.out.printf("  Kafka path, training loop: %.1f examples/s (%s)%n", outcome.examplesPerSecond(), outcome.result());
        System.out.printf("  Kafka path, whole run incl. reading the range and state: %.1f examples/s (%.1f s)%n",
                examples / wall, wall);
        System.out.printf("  library alone (after): %.1f examples/s%n", library2);
    }

    private static double libraryAlone(BaseModel base, RunRequest request, List<TrainingBatch> batches,
            int steps) {
        TuningRecipe recipe = TuningRecipe.preset(request.preset()).withOverrides(request.overrides());
        TrainingLoop loop = new TrainingLoop(batches, recipe.training(), steps, 0);
        long[] examples = {0};
        try (var manager = base.manager().newSubManager();
                PromptTunedBert model = PromptTunedBert.initialize(base.encoder(), recipe.prompt(),
                        recipe.training().seed(), manager);
                PromptTrainer trainer = new PromptTrainer(model, recipe.training(), loop.totalSteps(), manager)) {
            long start = System.nanoTime();
            loop.run(trainer, new TrainingLoop.Listener() {
                @Override
                public void onStep(PromptTrainer.StepResult result, int epoch, int batchSize) {
                    examples[0] += batchSize;
                }

                @Override
                public void onCheckpoint(long stepsDone, int epoch, boolean last) {}
            });
            return examples[0] / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The first rows of SST-2 train, tokenized, sorted by length in buckets of 50 batches, padded per batch. */
    private static List<EncodedBatch> sst2Batches(String model, String fingerprint, int count, int batchSize)
            throws IOException {
        Path train = Path.of(System.getProperty("sst2.dir")).resolve("train.tsv");
        List<String> lines = Files.readAllLines(train);
        Path folder = Path.of(System.getProperty("ptuning.model.cache")).resolve(model);
        List<long[]> ids = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        try (BertTokenizer tokenizer = BertTokenizer.load(folder, TinyModel.MAX_LENGTH)) {
            for (String line : lines.subList(1, Math.min(lines.size(), 1 + count * batchSize))) {
                String[] parts = line.split("\t");
                ids.add(tokenizer.encode(parts[0]));
                labels.add(Long.parseLong(parts[1].trim()));
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            order.add(i);
        }
        int bucket = batchSize * 50;
        for (int from = 0; from < order.size(); from += bucket) {
            order.subList(from, Math.min(order.size(), from + bucket)).sort(Comparator.comparingInt(i -> ids.get(i).length));
        }
        List<EncodedBatch> batches = new ArrayList<>();
        int batchCount = order.size() / batchSize;
        for (int b = 0; b < batchCount; b++) {
            List<Integer> rows = order.subList(b * batchSize, (b + 1) * batchSize);
            int length = rows.stream().mapToInt(i -> ids.get(i).length).max().orElseThrow();
            long[] input = new long[batchSize * length];
            long[] mask = new long[batchSize * length];
            long[] label = new long[batchSize];
            long[] example = new long[batchSize];
            for (int r = 0; r < batchSize; r++) {
                long[] row = ids.get(rows.get(r));
                System.arraycopy(row, 0, input, r * length, row.length);
                java.util.Arrays.fill(mask, r * length, r * length + row.length, 1);
                label[r] = labels.get(rows.get(r));
                example[r] = rows.get(r);
            }
            batches.add(new EncodedBatch(BatchMetadata.of("sst2bench", BatchTopics.VERSION, Split.TRAIN, b, batchCount,
                    fingerprint), batchSize, length, input, mask, label, example));
        }
        return batches;
    }
}
