package io.ptuning.prompt;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.ptuning.bert.BertEncoder;
import io.ptuning.bert.DeviceTensors;
import io.ptuning.bert.DropoutMasks;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.SafetensorsFile;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A frozen BERT with a prompt method and a classification head: the model that is tuned.
 * Only the method's vectors and (unless frozen) the head are trainable; the encoder's tensors never
 * get gradients.
 */
public final class PromptTunedBert implements AutoCloseable {

    public static final String HEAD_WEIGHT = "classifier.weight";
    public static final String HEAD_BIAS = "classifier.bias";
    /** The checkpoint metadata key naming the frozen weights a checkpoint was trained on. */
    public static final String BASE_MODEL_FINGERPRINT = "base_model_fingerprint";

    private final BertEncoder encoder;
    private final PromptConfig config;
    private final PromptMethod method;
    private final NDManager manager;
    private final SortedMap<String, NDArray> parameters;

    private PromptTunedBert(BertEncoder encoder, PromptConfig config, PromptMethod method, NDArray headWeight,
            NDArray headBias, NDManager manager) {
        this.encoder = encoder;
        this.config = config;
        this.method = method;
        this.manager = manager;
        SortedMap<String, NDArray> all = new TreeMap<>(method.parameters());
        all.put(HEAD_WEIGHT, headWeight);
        all.put(HEAD_BIAS, headBias);
        this.parameters = Collections.unmodifiableSortedMap(all);
        trainableParameters().values().forEach(p -> p.setRequiresGradient(true));
    }

    /** New trainable tensors drawn from {@code seed}: the same seed gives the same tensors, bit for bit. */
    public static PromptTunedBert initialize(BertEncoder encoder, PromptConfig config, int seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        Engine.getInstance().setRandomSeed(seed);
        int hidden = encoder.config().hiddenSize();
        PromptMethod method = switch (config.method()) {
            case PROMPT -> InputPrompt.initialize(manager, config.prefixLength(), hidden, config.poolFirstPosition());
            case PREFIX -> PrefixEncoder.initialize(manager, encoder.config(), config);
        };
        // Hugging Face's BertForSequenceClassification initialisation: N(0, 0.02) weights, zero bias.
        NDArray headWeight = manager.randomNormal(0f, 0.02f, new Shape(config.numLabels(), hidden), DataType.FLOAT32);
        NDArray headBias = manager.zeros(new Shape(config.numLabels()));
        return new PromptTunedBert(encoder, config, method, headWeight, headBias, manager);
    }

    /** Trainable tensors from a checkpoint; every expected tensor must be there with the expected shape. */
    public static PromptTunedBert restore(BertEncoder encoder, PromptConfig config, Map<String, HostTensor> state,
            String source, NDManager parent) {
        try (PromptTunedBert template = initialize(encoder, config, 0, parent)) {
            if (!state.keySet().equals(template.parameters.keySet())) {
                throw new MalformedWeightsException(source, "holds tensors " + state.keySet() + " but a "
                        + config.method().id() + " model with this config needs " + template.parameters.keySet());
            }
            NDManager manager = parent.newSubManager();
            Map<String, NDArray> arrays = new TreeMap<>();
            template.parameters.forEach((name, expected) -> {
                HostTensor host = state.get(name);
                if (!Arrays.equals(host.shape(), expected.getShape().getShape())) {
                    throw new MalformedWeightsException(source, name, "shape " + Arrays.toString(host.shape())
                            + " but this model needs " + expected.getShape());
                }
                arrays.put(name, DeviceTensors.upload(manager, host));
            });
            PromptMethod method = switch (config.method()) {
                case PROMPT -> new InputPrompt(arrays.get(InputPrompt.EMBEDDING), config.poolFirstPosition());
                case PREFIX -> PrefixEncoder.restore(
                        prefixTensors(arrays), encoder.config(), config);
            };
            return new PromptTunedBert(encoder, config, method, arrays.get(HEAD_WEIGHT), arrays.get(HEAD_BIAS), manager);
        }
    }

    private static Map<String, NDArray> prefixTensors(Map<String, NDArray> arrays) {
        Map<String, NDArray> prefix = new TreeMap<>(arrays);
        prefix.keySet().removeIf(name -> !name.startsWith("prefix."));
        return prefix;
    }

    /** Class scores [B, numLabels] for token ids [B, T] and mask [B, T], without dropout (inference). */
    public NDArray logits(NDArray inputIds, NDArray attentionMask) {
        return logits(inputIds, attentionMask, DropoutMasks.OFF);
    }

    /**
     * Class scores [B, numLabels] for token ids [B, T] and mask [B, T], with dropout drawn from {@code dropout}
     * (a training step's masks): the method's, and, unless the config turns it off, the encoder's and the one before
     * the head.
     */
    public NDArray logits(NDArray inputIds, NDArray attentionMask, DropoutMasks dropout) {
        PromptMethod.Dropouts dropouts = new PromptMethod.Dropouts(dropout,
                config.encoderDropout() ? dropout : DropoutMasks.OFF);
        NDArray pooled = encoder.pool(method.encode(encoder, inputIds, attentionMask, dropouts), 0);
        pooled = dropouts.inEncoder().apply(pooled, encoder.config().hiddenDropoutProb());
        return Linear.linear(pooled, parameters.get(HEAD_WEIGHT), parameters.get(HEAD_BIAS)).head();
    }

    public PromptConfig config() {
        return config;
    }

    PromptMethod method() {
        return method;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    /** Every tensor this model adds to the encoder, trainable or not, by checkpoint name. */
    public SortedMap<String, NDArray> parameters() {
        return parameters;
    }

    /** The tensors the optimizer updates: the method's, and the head's unless it is frozen. */
    public SortedMap<String, NDArray> trainableParameters() {
        SortedMap<String, NDArray> trainable = new TreeMap<>(parameters);
        if (config.freezeHead()) {
            trainable.remove(HEAD_WEIGHT);
            trainable.remove(HEAD_BIAS);
        }
        return trainable;
    }

    public long trainableParameterCount() {
        return trainableParameters().values().stream().mapToLong(NDArray::size).sum();
    }

    /** A copy of every tensor of {@link #parameters()} in host memory, for checkpoints. */
    public SortedMap<String, HostTensor> state() {
        SortedMap<String, HostTensor> state = new TreeMap<>();
        parameters.forEach((name, array) -> state.put(name, DeviceTensors.download(array)));
        return state;
    }


    /**
     * The trainable state as a checkpoint file: every tensor of {@link #parameters()} plus metadata
     * (method config, base-model fingerprint, and whatever the caller adds: run id, step, hyper-parameters).
     */
    public SafetensorsFile checkpoint(Map<String, String> metadata) {
        return new SafetensorsFile(state(), checkpointMetadata(config, metadata));
    }

    /**
     * The inference form of a reparameterized prefix: the MLP's output as a plain prefix table, so that
     * serving needs no MLP. Equal outputs to this model; loads as a non-reparameterized prefix model.
     */
    public SafetensorsFile materializedCheckpoint(Map<String, String> metadata) {
        if (!(method instanceof PrefixEncoder prefix) || !config.reparameterize()) {
            return checkpoint(metadata);
        }
        SortedMap<String, HostTensor> state = new TreeMap<>();
        state.put(HEAD_WEIGHT, DeviceTensors.download(parameters.get(HEAD_WEIGHT)));
        state.put(HEAD_BIAS, DeviceTensors.download(parameters.get(HEAD_BIAS)));
        try (NDManager scope = manager.newSubManager()) {
            state.put(PrefixEncoder.EMBEDDING, DeviceTensors.download(prefix.table(scope)));
        }
        return new SafetensorsFile(state, checkpointMetadata(config.withReparameterization(false), metadata));
    }

    private Map<String, String> checkpointMetadata(PromptConfig promptConfig, Map<String, String> extra) {
        Map<String, String> meta = new TreeMap<>(extra);
        meta.putAll(promptConfig.toMetadata());
        meta.put(BASE_MODEL_FINGERPRINT, encoder.weights().fingerprint());
        meta.put("hidden_size", Integer.toString(encoder.config().hiddenSize()));
        meta.put("num_hidden_layers", Integer.toString(encoder.config().numHiddenLayers()));
        return meta;
    }

    /**
     * Loads a checkpoint written by {@link #checkpoint}. It must name the base model it was trained on
     * ({@value #BASE_MODEL_FINGERPRINT}), and that must be {@code encoder}'s: prefixes trained on other weights load
     * without error and score like noise.
     */
    public static PromptTunedBert fromCheckpoint(BertEncoder encoder, SafetensorsFile checkpoint, String source,
            NDManager parent) {
        String trainedOn = checkpoint.metadata().get(BASE_MODEL_FINGERPRINT);
        if (trainedOn == null) {
            throw new MalformedWeightsException(source, "has no " + BASE_MODEL_FINGERPRINT + " in its metadata:"
                    + " cannot tell which base model it was trained on");
        }
        if (!trainedOn.equals(encoder.weights().fingerprint())) {
            throw new MalformedWeightsException(source, "was trained on base model " + trainedOn
                    + ", but the loaded model is " + encoder.weights().fingerprint()
                    + " (another import or version of the model)");
        }
        PromptConfig config = PromptConfig.fromMetadata(checkpoint.metadata());
        return restore(encoder, config, checkpoint.tensors(), source, parent);
    }

    @Override
    public void close() {
        manager.close();
    }
}
