package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DropoutMasksTest {

    /** Above the size from which a mask is filled on several threads. */
    private static final int LARGE = 1 << 20;
    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void dropsTheRequestedFractionAndScalesTheRestAsTorchDoes() {
        float[] mask = DropoutMasks.forStep(42, 0).mask(manager, LARGE, 0.1).toFloatArray();
        long kept = 0;
        for (float v : mask) {
            assertThat(v).isIn(0f, (float) (1 / 0.9));
            kept += v == 0f ? 0 : 1;
        }
        // 1,048,576 Bernoulli(0.9) draws: the standard deviation of the kept count is 307; allow 5 of them.
        assertThat((double) kept).isCloseTo(0.9 * LARGE, org.assertj.core.data.Offset.offset(5 * 307.0));
    }

    @Test
    void aStepsMasksAreAFunctionOfSeedStepAndDrawOnly() {
        DropoutMasks first = DropoutMasks.forStep(42, 7);
        DropoutMasks again = DropoutMasks.forStep(42, 7);
        float[] a1 = first.mask(manager, 1000, 0.1).toFloatArray();
        float[] a2 = first.mask(manager, 1000, 0.1).toFloatArray();
        assertThat(again.mask(manager, 1000, 0.1).toFloatArray()).containsExactly(a1);
        assertThat(again.mask(manager, 1000, 0.1).toFloatArray()).containsExactly(a2);
        assertThat(a2).as("the second draw of a step").isNotEqualTo(a1);
        assertThat(DropoutMasks.forStep(42, 8).mask(manager, 1000, 0.1).toFloatArray()).isNotEqualTo(a1);
        assertThat(DropoutMasks.forStep(43, 7).mask(manager, 1000, 0.1).toFloatArray()).isNotEqualTo(a1);
    }

    @Test
    void theValuesAreTheDocumentedFunctionOfSeedStepDrawAndIndex() {
        // Written out one value at a time from the class's definition, so that no faster fill can change what a
        // checkpoint replays: the first draw, whole, and a part whose rows start in the middle of an output; both
        // span several of the fill's chunks.
        float[] whole = DropoutMasks.forStep(42, 7).mask(manager, 5001, 0.1).toFloatArray();
        for (int i = 0; i < whole.length; i++) {
            assertThat(whole[i]).as("value %d", i).isEqualTo(definition(42, 7, i, 0.1));
        }
        float[] rows = DropoutMasks.forStep(42, 7).forRows(3, 8).apply(manager.ones(new Shape(5, 1027)), 0.1).toFloatArray();
        for (int i = 0; i < rows.length; i++) {
            assertThat(rows[i]).as("value %d of rows 3..7", i).isEqualTo(definition(42, 7, 3 * 1027 + i, 0.1));
        }
    }

    /** Value {@code i} of step {@code step}'s first draw: the 16-bit uniform {@code i % 4} of SplitMix64 output {@code i / 4}. */
    private static float definition(long seed, long step, long i, double p) {
        long gamma = 0x9e3779b97f4a7c15L;
        long stepKey = DropoutMasks.mix64(DropoutMasks.mix64(seed) ^ DropoutMasks.mix64(step + gamma));
        long drawKey = DropoutMasks.mix64(stepKey);
        long bits = DropoutMasks.mix64(drawKey + (i / 4 + 1) * gamma);
        long uniform = (bits >>> (16 * (i % 4))) & 0xFFFF;
        return uniform >= Math.round(p * 65536) ? (float) (1 / (1 - p)) : 0f;
    }

    @Test
    void aMaskFilledOnSeveralThreadsHoldsTheValuesOneThreadComputes() {
        float[] parallel = DropoutMasks.forStep(1, 2).mask(manager, LARGE + 3, 0.1).toFloatArray();
        float[] serial = DropoutMasks.forStep(1, 2).mask(manager, 1001, 0.1).toFloatArray();
        assertThat(Arrays.copyOf(parallel, 1001)).containsExactly(serial);
    }

    @Test
    void appliesTheMaskElementwiseInTheInputsShape() {
        NDArray x = manager.arange(1f, 1f + 2 * 3 * 500).reshape(2, 3, 500);
        NDArray dropped = DropoutMasks.forStep(5, 0).apply(x, 0.25);
        float[] mask = DropoutMasks.forStep(5, 0).mask(manager, x.size(), 0.25).toFloatArray();
        assertThat(dropped.getShape()).isEqualTo(new Shape(2, 3, 500));
        float[] values = x.toFloatArray();
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = values[i] * mask[i];
        }
        assertThat(dropped.toFloatArray()).containsExactly(expected);
    }

    @Test
    void oneDrawOverSeveralTensorsIsTheMaskOfTheirConcatenation() {
        // Sizes that put the second and third tensors' first values mid-way through a 64-bit output (4 values each).
        NDArray a = manager.ones(new Shape(3, 7));
        NDArray b = manager.ones(new Shape(LARGE + 2)); // filled on several threads
        NDArray c = manager.ones(new Shape(5, 1));
        List<NDArray> dropped = DropoutMasks.forStep(9, 3).apply(List.of(a, b, c), 0.1);
        float[] whole = DropoutMasks.forStep(9, 3).mask(manager, 21 + LARGE + 2 + 5, 0.1).toFloatArray();
        assertThat(dropped.get(0).getShape()).isEqualTo(new Shape(3, 7));
        // isEqualTo compares arrays with Arrays.equals; containsExactly is quadratic on a million values.
        assertThat(dropped.get(0).toFloatArray()).isEqualTo(Arrays.copyOfRange(whole, 0, 21));
        assertThat(dropped.get(1).toFloatArray()).isEqualTo(Arrays.copyOfRange(whole, 21, 21 + LARGE + 2));
        assertThat(dropped.get(2).toFloatArray()).isEqualTo(Arrays.copyOfRange(whole, 21 + LARGE + 2, whole.length));
    }

    @Test
    void aPartOfTheBatchDrawsTheWholeBatchsValuesForItsRows() {
        // Two draws over a batch of 5 rows, the second over two tensors (as the prefix's keys and values): rows
        // 2..4 drawn on their own equal rows 2..4 of the whole batch's draws.
        NDArray hidden = manager.ones(new Shape(5, 3, 7));
        List<NDArray> prefix = List.of(manager.ones(new Shape(5, 2, 11)), manager.ones(new Shape(5, 4)));
        DropoutMasks whole = DropoutMasks.forStep(4, 2);
        float[] wholeHidden = whole.apply(hidden, 0.1).toFloatArray();
        List<NDArray> wholePrefix = whole.apply(prefix, 0.1);

        DropoutMasks part = DropoutMasks.forStep(4, 2).forRows(2, 5);
        NDArray partHidden = part.apply(hidden.get("2:5"), 0.1);
        List<NDArray> partPrefix = part.apply(List.of(prefix.get(0).get("2:5"), prefix.get(1).get("2:5")), 0.1);
        assertThat(partHidden.toFloatArray()).isEqualTo(Arrays.copyOfRange(wholeHidden, 2 * 21, 5 * 21));
        assertThat(partPrefix.get(0).toFloatArray()).isEqualTo(wholePrefix.get(0).get("2:5").toFloatArray());
        assertThat(partPrefix.get(1).toFloatArray()).isEqualTo(wholePrefix.get(1).get("2:5").toFloatArray());
    }

    @Test
    void partsAreTakenBeforeTheStepDrawsAndWithinTheBatch() {
        DropoutMasks step = DropoutMasks.forStep(1, 1);
        assertThatThrownBy(() -> step.forRows(4, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 4 is not in a batch of 4");
        step.apply(manager.ones(new Shape(4, 4)), 0.1);
        assertThatThrownBy(() -> step.forRows(0, 4)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void offAndZeroProbabilityLeaveTheInputAlone() {
        NDArray x = manager.ones(new Shape(4, 4));
        assertThat(DropoutMasks.OFF.apply(x, 0.1)).isSameAs(x);
        assertThat(DropoutMasks.forStep(1, 1).apply(x, 0)).isSameAs(x);
    }

    @Test
    void refusesAProbabilityOutsideZeroToOne() {
        NDArray x = manager.ones(new Shape(4));
        assertThatThrownBy(() -> DropoutMasks.forStep(1, 1).apply(x, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1), got 1.0");
    }
}
