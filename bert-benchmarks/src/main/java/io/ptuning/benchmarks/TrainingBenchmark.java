package io.ptuning.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.BertWeights;
import io.ptuning.bert.HostMemory;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.Scorer;
import io.ptuning.training.TrainingBatch;
import io.ptuning.training.TrainingConfig;
import io.ptuning.training.TrainingLoop;
import io.ptuning.training.TuningRecipe;
import io.ptuning.training.ValidationScores;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Prompt tuning on SST-2 train with the library alone: training examples/s (real tokens only count as work;
 * batches are length-bucketed as the tokenizer-service publishes them) and dev accuracy against training
 * wall-clock time (evaluation time excluded). The recipe is the PyTorch baseline's: psl 20, no
 * reparameterization, AdamW lr 1e-2, batch 32; here with 6% warm-up, linear decay and clipping at 1.0.
 */
final class TrainingBenchmark {

    /** {@code --profile} traces the run's last this many steps: warm-up (first page touches, kernel code) is over. */
    private static final int PROFILED_STEPS = 10;

    private final Path sst2;
    private final Map<String, String> options;

    TrainingBenchmark(Path sst2, Map<String, String> options) {
        this.sst2 = sst2;
        this.options = options;
    }

    void run() {
        ModelArtifact artifact = ModelArtifact.byName(options.getOrDefault("model", "all-minilm-l6-v2"));
        ModelFolder folder = ModelCache.configured().resolve(artifact);
        List<TrainingBatch> train;
        List<TrainingBatch> dev;
        try (BertTokenizer tokenizer = BertTokenizer.load(folder.path(), 128)) {
            train = Sst2Batches.bucketed(Sst2Batches.rows(sst2.resolve("train.tsv"), tokenizer), 32);
            dev = Sst2Batches.bucketed(Sst2Batches.rows(sst2.resolve("dev.tsv"), tokenizer), 64);
        }
        TuningRecipe recipe = options.containsKey("preset") ? presetRecipe(train.size()) : optionsRecipe(train.size());
        if (options.containsKey("set")) { // any recipe value by name, as a run request's overrides
            recipe = recipe.withOverrides(overrides(options.get("set")));
        }
        PromptConfig prompt = recipe.prompt();
        TrainingConfig training = recipe.training();
        long steps = Long.parseLong(options.getOrDefault("steps", Long.toString((long) training.epochs() * train.size())));
        int evalEvery = Integer.parseInt(options.getOrDefault("eval-every", "150"));
        double minutes = Double.parseDouble(options.getOrDefault("minutes", "0"));
        TrainingLoop loop = new TrainingLoop(train, training, steps, evalEvery);
        if (options.containsKey("profile") && loop.totalSteps() < 2 * PROFILED_STEPS) {
            throw new IllegalArgumentException("--profile traces the last " + PROFILED_STEPS + " steps after at least as"
                    + " many of warm-up: give --steps " + 2 * PROFILED_STEPS + " or more, not " + loop.totalSteps());
        }
        int replicas = Integer.parseInt(options.getOrDefault("replicas", "1"));

        System.out.printf("recipe: %s %s%n", prompt.toMetadata(), training.toMetadata());
        System.out.printf("%s, %s psl %d, %d steps of batch 32 (%d per epoch), mean padded length %.1f (real %.1f), %d threads, %d replica(s)%n",
                artifact.modelName(), prompt.method().id(), prompt.prefixLength(), loop.totalSteps(), train.size(),
                Sst2Batches.meanPaddedLength(train), Sst2Batches.meanRealLength(train),
                Runtime.getRuntime().availableProcessors(), replicas);
        System.out.printf("%8s %10s %12s %10s %10s%n", "step", "train min", "examples/s", "loss", "dev acc");
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            System.out.printf("device %s (libtorch %s); matmul precision %s; malloc %s; OpenMP waiting %s%n",
                    encoder.device(), Engine.getEngine("PyTorch").getVersion(),
                    MatmulPrecision.inForce().describe(), HostMemory.describe(),
                    System.getenv().getOrDefault("OMP_WAIT_POLICY", "as libgomp's default (spins, then sleeps)"));
            try (PromptTunedBert model = PromptTunedBert.initialize(encoder, prompt, training.seed(), manager);
                    PromptTrainer trainer = new PromptTrainer(model, Collections.nCopies(replicas - 1, encoder), training,
                            loop.totalSteps(), manager)) {
                System.out.printf("trainable parameters: %,d%n", model.trainableParameterCount());
                Progress progress = new Progress(new Scorer(model, manager), dev, minutes, options.get("profile"),
                        loop.totalSteps() - PROFILED_STEPS);
                loop.run(trainer, progress);
                if (Thread.interrupted() && progress.lossCount > 0) { // stopped by the time budget
                    progress.onCheckpoint(trainer.stepsDone(), 0, true);
                }
                System.out.printf("done: %d steps, %.1f training minutes, %.1f examples/s overall, best dev accuracy %.4f%n",
                        trainer.stepsDone(), progress.trainingSeconds / 60, progress.examples / progress.trainingSeconds,
                        progress.best);
            }
        }
    }

    /**
     * A named preset ({@code --preset seed} is the notebook's recipe, quirks included), run for its own number of
     * epochs unless {@code --steps} says otherwise; the schedule, if any, spans the steps actually run.
     */
    private TuningRecipe presetRecipe(int stepsPerEpoch) {
        TuningRecipe preset = TuningRecipe.preset(options.get("preset"));
        return new TuningRecipe(preset.prompt(),
                preset.training().withEpochs(epochs(stepsPerEpoch, preset.training().epochs())));
    }

    /** The recipe of the PyTorch baseline, shaped by {@code --method, --psl, --lr, --schedule, --steps}. */
    private TuningRecipe optionsRecipe(int stepsPerEpoch) {
        int psl = Integer.parseInt(options.getOrDefault("psl", "20"));
        PromptConfig prompt = options.getOrDefault("method", "prefix").equals("prompt")
                ? PromptConfig.prompt(psl) : PromptConfig.prefix(psl);
        TrainingConfig adamW = TrainingConfig.adamW(Double.parseDouble(options.getOrDefault("lr", "1e-2")));
        TrainingConfig training = options.getOrDefault("schedule", "linear").equals("constant") ? adamW
                : adamW.withSchedule(0.06, 1.0);
        return new TuningRecipe(prompt, training.withEpochs(epochs(stepsPerEpoch, 1)));
    }

    /** The epochs that {@code --steps} spans, or {@code otherwise} without it. */
    private int epochs(int stepsPerEpoch, int otherwise) {
        return options.containsKey("steps")
                ? (int) Math.ceil(Double.parseDouble(options.get("steps")) / stepsPerEpoch) : otherwise;
    }

    /** {@code lr=0.02,reparameterize=true} as a map. */
    private static Map<String, String> overrides(String list) {
        Map<String, String> overrides = new java.util.TreeMap<>();
        for (String pair : list.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--set expects name=value pairs separated by commas, got '" + pair + "'");
            }
            overrides.put(kv[0].trim(), kv[1].trim());
        }
        return overrides;
    }

    /** Times training only (evaluations stop the clock) and stops the run when the time budget is spent. */
    private static final class Progress implements TrainingLoop.Listener {
        private final Scorer scorer;
        private final List<TrainingBatch> dev;
        private final double budgetSeconds;
        private double trainingSeconds;
        private long examples;
        private long windowExamples;
        private double windowSeconds;
        private double lossSum;
        private int lossCount;
        private double best;
        private long stepStart = System.nanoTime();
        /** Where libtorch's profiler writes its trace of the last steps, or null for no profile. */
        private final String profile;
        private final long profileFrom;

        Progress(Scorer scorer, List<TrainingBatch> dev, double minutes, String profile, long profileFrom) {
            this.scorer = scorer;
            this.dev = dev;
            this.budgetSeconds = minutes * 60;
            this.profile = profile;
            this.profileFrom = profileFrom;
        }

        @Override
        public void onStep(PromptTrainer.StepResult result, int epoch, int batchSize) {
            double seconds = (System.nanoTime() - stepStart) / 1e9;
            trainingSeconds += seconds;
            windowSeconds += seconds;
            examples += batchSize;
            windowExamples += batchSize;
            lossSum += result.loss();
            lossCount++;
            long steps = result.step() + 1; // done, this one included
            if (profile != null && steps == profileFrom) {
                JniUtils.startProfile(false, true, false);
            } else if (profile != null && steps == profileFrom + PROFILED_STEPS) {
                JniUtils.stopProfile(profile);
                System.out.printf("libtorch profile of steps %d-%d: %s%n", profileFrom + 1, steps, profile);
            }
            if (budgetSeconds > 0 && trainingSeconds >= budgetSeconds) {
                Thread.currentThread().interrupt(); // TrainingLoop stops before the next step
            }
            stepStart = System.nanoTime();
        }

        @Override
        public void onCheckpoint(long stepsDone, int epoch, boolean last) {
            ValidationScores scores = scorer.score(dev);
            best = Math.max(best, scores.accuracy());
            System.out.printf("%8d %10.2f %12.1f %10.4f %10.4f%n", stepsDone, trainingSeconds / 60,
                    windowExamples / windowSeconds, lossSum / lossCount, scores.accuracy());
            windowExamples = 0;
            windowSeconds = 0;
            lossSum = 0;
            lossCount = 0;
            stepStart = System.nanoTime();
        }
    }
}
