package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.SafetensorsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frozen tensors of a BERT checkpoint on the engine's device, by Hugging Face name, checked against
 * the config by {@link BertParameterLayout}. Names with a {@code bert.} prefix (BertForX checkpoints) are
 * accepted.
 */
public final class BertWeights implements AutoCloseable {

    private final BertConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private final String fingerprint;

    private BertWeights(BertConfig config, NDManager manager, Map<String, NDArray> tensors, String fingerprint) {
        this.config = config;
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.fingerprint = fingerprint;
    }

    /** Loads {@code config.json} and the checked {@code model.safetensors} of a Hugging Face model folder. */
    public static BertWeights load(Path modelFolder, NDManager parent) {
        ModelFolder folder = ModelFolder.open(modelFolder);
        SafetensorsFile file = SafetensorsFile.read(folder.weights());
        return fromHost(folder.config(), file.tensors(), folder.weights().toString(), parent);
    }

    /** Checks host tensors against {@code config} and moves them to the device of {@code parent}. */
    public static BertWeights fromHost(
            BertConfig config, Map<String, HostTensor> hostTensors, String source, NDManager parent) {
        Map<String, HostTensor> byName = new TreeMap<>();
        hostTensors.forEach((name, tensor) -> byName.put(name.startsWith("bert.") ? name.substring(5) : name, tensor));
        Map<String, long[]> shapes = new TreeMap<>();
        byName.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        BertParameterLayout layout = new BertParameterLayout(config);
        layout.check(shapes, source);

        // The encoder, pooler and MLM head are used; the next-sentence head and a tied decoder copy are not.
        Map<String, long[]> used = new TreeMap<>(layout.encoder());
        used.putAll(layout.pooler());
        used.putAll(layout.maskedLmHead());
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        byName.forEach((name, host) -> {
            if (used.containsKey(name)) {
                NDArray array = DeviceTensors.upload(manager, host);
                array.setName(name);
                tensors.put(name, array);
            }
        });
        return new BertWeights(config, manager, tensors, fingerprint(byName));
    }

    /** SHA-256 over names, shapes and bytes: checkpoints name the exact base model they were trained on. */
    private static String fingerprint(Map<String, HostTensor> sortedTensors) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            sortedTensors.forEach((name, tensor) -> {
                digest.update((name + Arrays.toString(tensor.shape())).getBytes(StandardCharsets.UTF_8));
                digest.update(tensor.data());
            });
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }






    public BertConfig config() {
        return config;
    }

    public NDArray get(String name) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new IllegalArgumentException("this BERT has no tensor '" + name + "'");
        }
        return array;
    }

    /** Identifies these exact weights (16 hex digits of a SHA-256). */
    public String fingerprint() {
        return fingerprint;
    }

    public boolean hasPooler() {
        return tensors.containsKey("pooler.dense.weight");
    }

    public boolean hasMaskedLmHead() {
        return tensors.containsKey("cls.predictions.bias");
    }

    /** Parameters of the encoder a {@code BertModel} holds: embeddings, layers and pooler, not the MLM head. */
    public long backboneParameterCount() {
        return tensors.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("cls."))
                .mapToLong(e -> e.getValue().size())
                .sum();
    }

    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /** Where tensors that live as long as these weights belong (the encoder's constants). */
    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
