package io.ptuning.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.TinyBert;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTrainerTest {

    static NDManager manager;
    static BertEncoder encoder;
    static final List<TrainingBatch> BATCHES = SyntheticTask.batches(6, 8, TinyBert.CONFIG.vocabSize(), 3);
    static final TrainingConfig TRAINING = TrainingConfig.adamW(1e-2).withSchedule(0.2, 1.0);

    @BeforeAll
    static void tinyBert() {
        manager = NDManager.newBaseManager();
        encoder = TinyBert.create(manager, 7);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void trainingChangesEveryTrainableTensorAndNoBackboneTensor() {
        Map<String, float[]> backboneBefore = new java.util.TreeMap<>();
        encoder.weights().tensors().forEach((name, array) -> backboneBefore.put(name, array.toFloatArray()));
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(4), 1, manager);
                PromptTrainer trainer = new PromptTrainer(model, TRAINING, BATCHES.size(), manager)) {
            Map<String, HostTensor> before = model.state();
            BATCHES.forEach(trainer::step);
            Map<String, HostTensor> after = model.state();
            before.forEach((name, tensor) -> assertThat(after.get(name)).as(name).isNotEqualTo(tensor));
        }
        encoder.weights().tensors().forEach((name, array) ->
                assertThat(array.toFloatArray()).as(name).containsExactly(backboneBefore.get(name)));
    }

    @Test
    void theFrozenHeadOfTheSeedPresetStaysAtItsInitialisation() {
        PromptConfig seed = TuningRecipe.preset("seed").prompt().withNotebookQuirks();
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, seed, 1, manager);
                PromptTrainer trainer = new PromptTrainer(model, TRAINING, BATCHES.size(), manager)) {
            HostTensor head = model.state().get(PromptTunedBert.HEAD_WEIGHT);
            HostTensor prompt = model.state().get("prompt.embedding");
            BATCHES.forEach(trainer::step);
            assertThat(model.state().get(PromptTunedBert.HEAD_WEIGHT)).isEqualTo(head);
            assertThat(model.state().get("prompt.embedding")).isNotEqualTo(prompt);
        }
    }

    @Test
    void twoRunsWithTheSameSeedWriteByteIdenticalCheckpointFiles(@TempDir Path dir) throws Exception {
        Path first = train(dir.resolve("first.safetensors"), 42, PromptConfig.prefix(4));
        Path second = train(dir.resolve("second.safetensors"), 42, PromptConfig.prefix(4));
        Path otherSeed = train(dir.resolve("other.safetensors"), 43, PromptConfig.prefix(4));
        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
        assertThat(Files.readAllBytes(otherSeed)).isNotEqualTo(Files.readAllBytes(first));
    }

    @Test
    void aRunResumedFromItsSavedStateEndsBitIdenticalToAnUninterruptedRun() {
        PromptConfig config = PromptConfig.prefix(4).withReparameterization(true);
        SafetensorsFile uninterrupted;
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 9, manager);
                PromptTrainer trainer = new PromptTrainer(model, TRAINING, BATCHES.size(), manager)) {
            BATCHES.forEach(trainer::step);
            uninterrupted = model.checkpoint(Map.of());
        }
        SafetensorsFile savedModel;
        SafetensorsFile savedOptimizer;
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 9, manager);
                PromptTrainer trainer = new PromptTrainer(model, TRAINING, BATCHES.size(), manager)) {
            BATCHES.subList(0, 3).forEach(trainer::step);
            savedModel = SafetensorsFile.decode(model.checkpoint(Map.of()).encode(), "saved");
            savedOptimizer = SafetensorsFile.decode(trainer.optimizerState(Map.of()).encode(), "saved");
        }
        try (PromptTunedBert model = PromptTunedBert.fromCheckpoint(encoder, savedModel, "saved", manager);
                PromptTrainer trainer = new PromptTrainer(model, TRAINING, BATCHES.size(), manager)) {
            trainer.restore(savedOptimizer);
            BATCHES.subList(3, BATCHES.size()).forEach(trainer::step);
            assertThat(trainer.stepsDone()).isEqualTo(BATCHES.size());
            assertThat(model.checkpoint(Map.of()).encode()).isEqualTo(uninterrupted.encode());
        }
    }

    @Test
    void stepsRunOnThreadsOtherThanTheOneThatLoadedTheEngine() throws Exception {
        // libtorch's grad mode is per thread and on by default: a consumer's worker thread must still train.
        Thread worker = new Thread(() -> {
            try (PromptTunedBert model = PromptTunedBert.initialize(encoder, PromptConfig.prefix(4), 1, manager);
                    PromptTrainer trainer = new PromptTrainer(model, TRAINING, 2, manager)) {
                trainer.step(BATCHES.get(0));
                trainer.step(BATCHES.get(1));
            }
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        worker.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        worker.start();
        worker.join();
        assertThat(failure.get()).isNull();
    }

    @Test
    void prefixGradientsMatchFiniteDifferences() {
        PromptConfig config = PromptConfig.prefix(3);
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 4, manager);
                NDManager scope = manager.newSubManager()) {
            TrainingBatch batch = BATCHES.get(0);
            NDArray ids = DeviceTensors.upload(scope, batch.inputIds());
            NDArray mask = DeviceTensors.upload(scope, batch.attentionMask());
            NDArray labels = DeviceTensors.upload(scope, batch.labels());
            NDArray prefix = model.parameters().get("prefix.embedding");
            float[] analytic;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(loss(model, ids, mask, labels));
                NDArray gradient = prefix.getGradient();
                analytic = gradient.toFloatArray();
                gradient.subi(gradient);
            }
            int[] probes = {0, 17, 101, 250, prefix.toFloatArray().length - 1};
            float epsilon = 1e-2f;
            for (int index : probes) {
                float original = prefix.toFloatArray()[index];
                double plus = lossWith(model, prefix, index, original + epsilon, ids, mask, labels);
                double minus = lossWith(model, prefix, index, original - epsilon, ids, mask, labels);
                lossWith(model, prefix, index, original, ids, mask, labels);
                double numeric = (plus - minus) / (2 * epsilon);
                assertThat(analytic[index]).as("d loss / d prefix[%d]", index)
                        .isCloseTo((float) numeric, offset(2e-3f + 0.02f * (float) Math.abs(numeric)));
            }
            assertThat(Arrays.stream(probes).mapToDouble(i -> Math.abs(analytic[i])).max().orElseThrow()).isGreaterThan(1e-4);
        }
    }

    private static double lossWith(PromptTunedBert model, NDArray prefix, int index, float value, NDArray ids,
            NDArray mask, NDArray labels) {
        float[] values = prefix.toFloatArray();
        values[index] = value;
        prefix.set(values);
        try (NDArray loss = loss(model, ids, mask, labels)) {
            return loss.getFloat();
        }
    }

    private static NDArray loss(PromptTunedBert model, NDArray ids, NDArray mask, NDArray labels) {
        return Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(model.logits(ids, mask)));
    }

    private Path train(Path file, int seed, PromptConfig config) {
        TrainingConfig training = TRAINING.withSeed(seed);
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, seed, manager);
                PromptTrainer trainer = new PromptTrainer(model, training, BATCHES.size(), manager)) {
            BATCHES.forEach(trainer::step);
            model.checkpoint(training.toMetadata()).write(file);
        }
        return file;
    }
}
