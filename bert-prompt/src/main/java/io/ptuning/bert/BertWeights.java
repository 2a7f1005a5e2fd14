package io.ptuning.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.weights.BertConfig;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.SafetensorsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frozen tensors of a BERT checkpoint, by Hugging Face name, checked against the config:
 * every expected tensor present with its shape, nothing unknown. The optional parts (pooler, MLM head)
 * are all-or-nothing. Names with a {@code bert.} prefix (BertForX checkpoints) are accepted.
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

    /** Loads {@code config.json} and {@code model.safetensors} of a Hugging Face model folder. */
    public static BertWeights load(Path modelFolder, NDManager parent) {
        Path configFile = modelFolder.resolve("config.json");
        Path weightsFile = modelFolder.resolve("model.safetensors");
        for (Path required : new Path[] {configFile, weightsFile}) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("model folder " + modelFolder + " has no " + required.getFileName()
                        + " (import a model first: see README, 'Models')");
            }
        }
        BertConfig config = BertConfig.read(configFile);
        return fromHost(config, SafetensorsFile.read(weightsFile).tensors(), weightsFile.toString(), parent);
    }

    /** Checks host tensors against {@code config} and moves them to the device of {@code parent}. */
    public static BertWeights fromHost(
            BertConfig config, Map<String, HostTensor> hostTensors, String source, NDManager parent) {
        Map<String, long[]> expected = expectedShapes(config);
        Map<String, HostTensor> byName = new TreeMap<>();
        hostTensors.forEach((name, tensor) -> byName.put(name.startsWith("bert.") ? name.substring(5) : name, tensor));

        for (Map.Entry<String, HostTensor> entry : byName.entrySet()) {
            long[] shape = expected.get(entry.getKey());
            if (shape == null && !entry.getKey().startsWith("cls.seq_relationship.")) {
                throw new MalformedWeightsException(source, entry.getKey(), "unknown tensor for a BERT with "
                        + config.numHiddenLayers() + " layers (expected names like encoder.layer.0.attention.self.query.weight)");
            }
            if (shape != null && !Arrays.equals(shape, entry.getValue().shape())) {
                throw new MalformedWeightsException(source, entry.getKey(), "shape " + Arrays.toString(entry.getValue().shape())
                        + " does not match config.json, which needs " + Arrays.toString(shape));
            }
        }
        for (String name : expected.keySet()) {
            boolean optional = name.startsWith("pooler.") || name.startsWith("cls.");
            if (!optional && !byName.containsKey(name)) {
                throw new MalformedWeightsException(source, name, "missing");
            }
        }
        requireAllOrNone(byName, expected, "pooler.", source);
        requireAllOrNone(byName, expected, "cls.predictions.", source);

        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            HostTensor host = byName.get(name);
            if (host != null) {
                NDArray array = DeviceTensors.upload(manager, host);
                array.setName(name);
                tensors.put(name, array);
            }
        }
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

    private static void requireAllOrNone(
            Map<String, HostTensor> present, Map<String, long[]> expected, String prefix, String source) {
        long wanted = expected.keySet().stream().filter(n -> n.startsWith(prefix)).count();
        long found = present.keySet().stream().filter(n -> n.startsWith(prefix)).count();
        if (found != 0 && found != wanted) {
            String missing = expected.keySet().stream()
                    .filter(n -> n.startsWith(prefix) && !present.containsKey(n)).findFirst().orElse(prefix);
            throw new MalformedWeightsException(source, missing, "missing (the file holds part of '" + prefix + "*')");
        }
    }

    /** Every tensor a BERT of this config may have, with its shape; pooler and MLM head are optional. */
    static Map<String, long[]> expectedShapes(BertConfig c) {
        long h = c.hiddenSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        shapes.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        layerNorm(shapes, "embeddings.LayerNorm", h);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String layer = "encoder.layer." + i + ".";
            linear(shapes, layer + "attention.self.query", h, h);
            linear(shapes, layer + "attention.self.key", h, h);
            linear(shapes, layer + "attention.self.value", h, h);
            linear(shapes, layer + "attention.output.dense", h, h);
            layerNorm(shapes, layer + "attention.output.LayerNorm", h);
            linear(shapes, layer + "intermediate.dense", h, c.intermediateSize());
            linear(shapes, layer + "output.dense", c.intermediateSize(), h);
            layerNorm(shapes, layer + "output.LayerNorm", h);
        }
        linear(shapes, "pooler.dense", h, h);
        linear(shapes, "cls.predictions.transform.dense", h, h);
        layerNorm(shapes, "cls.predictions.transform.LayerNorm", h);
        shapes.put("cls.predictions.bias", new long[] {c.vocabSize()});
        return shapes;
    }

    private static void linear(Map<String, long[]> shapes, String name, long in, long out) {
        shapes.put(name + ".weight", new long[] {out, in});
        shapes.put(name + ".bias", new long[] {out});
    }

    private static void layerNorm(Map<String, long[]> shapes, String name, long size) {
        shapes.put(name + ".weight", new long[] {size});
        shapes.put(name + ".bias", new long[] {size});
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

    @Override
    public void close() {
        manager.close();
    }
}
