package io.ptuning.weights;

import io.ptuning.weights.tokenizer.BertTokenizer;
import io.ptuning.weights.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Hugging Face model folder: {@code config.json}, {@code model.safetensors}, {@code tokenizer.json},
 * {@code vocab.txt}. What importers write and what the encoder and the tokenizer load.
 */
public final class ModelFolder {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = BertTokenizer.TOKENIZER_JSON;
    public static final String VOCAB = "vocab.txt";
    private static final List<String> FILES = List.of(CONFIG, WEIGHTS, TOKENIZER, VOCAB);

    private final Path path;
    private final BertConfig config;

    private ModelFolder(Path path, BertConfig config) {
        this.path = path;
        this.config = config;
    }

    /** Opens a folder, failing with the missing files and what to do when it is not a complete model folder. */
    public static ModelFolder open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("model folder " + folder + " does not exist; import one with"
                    + " io.ptuning.weights.cache.ImportModelCommand <bert-base-uncased|all-minilm-l6-v2> " + folder);
        }
        List<String> missing = new ArrayList<>();
        for (String file : FILES) {
            if (!Files.isRegularFile(folder.resolve(file))) {
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model folder " + folder + " lacks " + String.join(", ", missing)
                    + " (needs " + String.join(", ", FILES) + "); delete it and import it again");
        }
        return new ModelFolder(folder, BertConfig.read(folder.resolve(CONFIG)));
    }

    /** Writes a complete folder (weights checked against the config first) and opens it. */
    public static ModelFolder write(Path folder, ImportedBert model, Map<String, String> metadata,
            Vocabulary vocabulary, byte[] tokenizerJson) {
        BertConfig config = model.config();
        SortedMap<String, HostTensor> tensors = model.tensors();
        Path weights = folder.resolve(WEIGHTS);
        new BertParameterLayout(config).check(shapes(tensors), weights.toString());
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.put("format", "pt");
        try {
            Files.createDirectories(folder);
            config.write(folder.resolve(CONFIG));
            vocabulary.write(folder.resolve(VOCAB));
            Files.write(folder.resolve(TOKENIZER), tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model folder " + folder + ": " + e.getMessage(), e);
        }
        new SafetensorsFile(tensors, meta).write(weights);
        return open(folder);
    }

    public Path path() {
        return path;
    }

    public BertConfig config() {
        return config;
    }

    public Path weights() {
        return path.resolve(WEIGHTS);
    }

    public Path tokenizerJson() {
        return path.resolve(TOKENIZER);
    }

    public Path vocabTxt() {
        return path.resolve(VOCAB);
    }

    public Vocabulary vocabulary() {
        return Vocabulary.read(vocabTxt());
    }

    /** model.safetensors, checked: every name a BERT parameter, every shape as config.json says. */
    public SafetensorsFile readWeights() {
        SafetensorsFile file = SafetensorsFile.read(weights());
        new BertParameterLayout(config).check(shapes(file.tensors()), weights().toString());
        return file;
    }

    private static Map<String, long[]> shapes(Map<String, HostTensor> tensors) {
        Map<String, long[]> shapes = new TreeMap<>();
        tensors.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        return shapes;
    }

    @Override
    public String toString() {
        return "ModelFolder[" + path + "]";
    }
}
