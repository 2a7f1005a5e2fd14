package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our encoder against a peer: ONNX Runtime running the original all-MiniLM-L6-v2 graph from the
 * langchain4j artifact, on SST-2 dev sentences in padded batches of mixed length.
 */
class MiniLmParityTest {

    static final int SENTENCES = 64;
    static final int BATCH = 16;

    @Test
    void lastHiddenStateMatchesOnnxRuntimeWithin1e4OnRealTokens() throws Exception {
        ModelFolder folder = RealModels.miniLm();
        List<String> sentences = RealModels.sst2DevSentences().subList(0, SENTENCES);
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        double maxDifference = 0;
        long comparedTokens = 0;
        try (InputStream onnx = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx");
                OrtSession session = ort.createSession(onnx.readAllBytes(), new OrtSession.SessionOptions());
                BertTokenizer tokenizer = BertTokenizer.load(folder.path(), 128);
                NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = RealModels.load(folder, manager);
            assertThat(encoder.weights().backboneParameterCount()).isEqualTo(22_565_376L);
            for (int start = 0; start < SENTENCES; start += BATCH) {
                PaddedBatch batch = PaddedBatch.of(sentences.subList(start, start + BATCH).stream().map(tokenizer::encode).toList());
                assertThat(batch.paddedPositions()).as("batches mix lengths").isPositive();
                float[][][] expected;
                try (OnnxTensor ids = OnnxTensor.createTensor(ort, batch.ids());
                        OnnxTensor mask = OnnxTensor.createTensor(ort, batch.mask());
                        OnnxTensor types = OnnxTensor.createTensor(ort, new long[batch.rows()][batch.length()]);
                        OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
                    expected = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray actual = encoder.lastHiddenState(scope.create(batch.ids()), scope.create(batch.mask()));
                    float[] values = actual.toFloatArray();
                    int hidden = encoder.config().hiddenSize();
                    for (int row = 0; row < batch.rows(); row++) {
                        for (int t = 0; t < batch.length(); t++) {
                            if (batch.mask()[row][t] == 0) {
                                continue;
                            }
                            comparedTokens++;
                            for (int d = 0; d < hidden; d++) {
                                float ours = values[(row * batch.length() + t) * hidden + d];
                                maxDifference = Math.max(maxDifference, Math.abs(ours - expected[row][t][d]));
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("MiniLM parity: %d real tokens, max |DJL - ONNX Runtime| = %.3g%n", comparedTokens, maxDifference);
        assertThat(maxDifference).isLessThanOrEqualTo(1e-4);
    }
}
