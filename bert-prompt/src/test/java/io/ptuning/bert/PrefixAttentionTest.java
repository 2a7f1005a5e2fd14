package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ptuning.weights.BertConfig;
import org.junit.jupiter.api.Test;

/** The prefix hook against attention written out by hand, loop by loop, on a tiny model. */
class PrefixAttentionTest {

    @Test
    void selfAttentionWithAPrefixMatchesADirectComputation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = TinyBert.create(manager, 11);
            BertConfig c = encoder.config();
            int batch = 2, tokens = 3, psl = 2, heads = c.numAttentionHeads(), dh = c.headSize(), h = c.hiddenSize();
            manager.getEngine().setRandomSeed(5);
            NDArray hidden = manager.randomNormal(new Shape(batch, tokens, h));
            NDArray pk = manager.randomNormal(new Shape(batch, heads, psl, dh));
            NDArray pv = manager.randomNormal(new Shape(batch, heads, psl, dh));
            long[][] maskRows = {{1, 1, 1}, {1, 1, 0}};
            NDArray mask = manager.create(maskRows);

            NDArray keyMask = manager.ones(new Shape(batch, psl)).concat(mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false), 1);
            NDArray maskBias = keyMask.neg().add(1f).mul(-Float.MAX_VALUE).expandDims(1).expandDims(1);
            float[] actual = encoder.selfAttention("encoder.layer.0.attention.self.", hidden, hidden, maskBias,
                    new KeyValuePrefix(pk, pv), DropoutMasks.OFF).toFloatArray();

            float[] x = hidden.toFloatArray();
            float[][] q = dense(encoder, "query", x, batch * tokens, h);
            float[][] k = dense(encoder, "key", x, batch * tokens, h);
            float[][] v = dense(encoder, "value", x, batch * tokens, h);
            float[] pkv = pk.toFloatArray();
            float[] pvv = pv.toFloatArray();
            for (int b = 0; b < batch; b++) {
                for (int head = 0; head < heads; head++) {
                    for (int t = 0; t < tokens; t++) {
                        // scores over [prefix keys; token keys], padded keys excluded
                        double[] scores = new double[psl + tokens];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < psl + tokens; j++) {
                            boolean visible = j < psl || maskRows[b][j - psl] == 1;
                            double s = 0;
                            for (int d = 0; d < dh; d++) {
                                float key = j < psl ? pkv[((b * heads + head) * psl + j) * dh + d]
                                        : k[b * tokens + j - psl][head * dh + d];
                                s += q[b * tokens + t][head * dh + d] * key;
                            }
                            scores[j] = visible ? s / Math.sqrt(dh) : Double.NEGATIVE_INFINITY;
                            max = Math.max(max, scores[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < scores.length; j++) {
                            scores[j] = Math.exp(scores[j] - max);
                            sum += scores[j];
                        }
                        for (int d = 0; d < dh; d++) {
                            double context = 0;
                            for (int j = 0; j < scores.length; j++) {
                                float value = j < psl ? pvv[((b * heads + head) * psl + j) * dh + d]
                                        : v[b * tokens + j - psl][head * dh + d];
                                context += scores[j] / sum * value;
                            }
                            assertThat(actual[(b * tokens + t) * h + head * dh + d]).isCloseTo((float) context, offset(1e-4f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void computingOnlyThePooledRowInTheLastLayerGivesThatRowOfTheFullComputation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = TinyBert.create(manager, 11);
            NDArray ids = manager.create(new long[][] {{1, 7, 8, 9, 2}, {1, 10, 2, 0, 0}});
            NDArray mask = manager.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
            NDArray embedded = encoder.embed(ids, null, 0, DropoutMasks.OFF);
            NDArray full = encoder.encode(embedded, mask, null, DropoutMasks.OFF);
            for (long position : new long[] {0, 2}) {
                NDArray row = encoder.encode(embedded, mask, null, DropoutMasks.OFF, position);
                assertThat(row.getShape()).isEqualTo(new Shape(2, 1, encoder.config().hiddenSize()));
                float[] expected = full.get(new ai.djl.ndarray.index.NDIndex(":, {}:{}, :", position, position + 1)).toFloatArray();
                assertThat(row.toFloatArray()).containsExactly(expected, offset(1e-5f));
            }
        }
    }

    private static float[][] dense(BertEncoder encoder, String name, float[] x, int rows, int h) {
        float[] w = encoder.weights().get("encoder.layer.0.attention.self." + name + ".weight").toFloatArray();
        float[] bias = encoder.weights().get("encoder.layer.0.attention.self." + name + ".bias").toFloatArray();
        float[][] out = new float[rows][h];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < h; o++) {
                double s = bias[o];
                for (int i = 0; i < h; i++) {
                    s += x[r * h + i] * w[o * h + i];
                }
                out[r][o] = (float) s;
            }
        }
        return out;
    }
}
