package io.ptuning.prompt;

import ai.djl.ndarray.NDArray;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DropoutMasks;
import java.util.Map;

/** How trainable vectors enter the frozen encoder: one small class per method. */
sealed interface PromptMethod permits InputPrompt, PrefixEncoder {

    /** The method's own tensors by checkpoint name, in the model's long-lived manager. */
    Map<String, NDArray> parameters();

    /**
     * Runs the encoder with the method's vectors wired in, up to the one row the classifier pools: the [CLS] token's
     * (or, behind an input-level prompt, the position the config names).
     *
     * @return [B, 1, H] the last hidden state of that row
     */
    NDArray encode(BertEncoder encoder, NDArray inputIds, NDArray attentionMask, Dropouts dropouts);

    /**
     * The step's dropout masks for the method's own dropout (on the prefix) and for the frozen encoder's, each
     * {@link DropoutMasks#OFF} when inactive. Both off for inference.
     */
    record Dropouts(DropoutMasks onMethod, DropoutMasks inEncoder) {
        static final Dropouts NONE = new Dropouts(DropoutMasks.OFF, DropoutMasks.OFF);
    }
}
