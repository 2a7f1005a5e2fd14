package io.ptuning.weights.tfcheckpoint;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.ImportedBert;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.Vocabulary;
import io.ptuning.weights.tokenizer.WordPieceTokenizerJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/** Turns a Google BERT TF checkpoint (a tensor bundle plus its vocab.txt) into a Hugging Face model folder. */
public final class TfCheckpointImporter {

    private TfCheckpointImporter() {}

    /**
     * Imports {@code index} (and the data shards beside it) into {@code target}.
     *
     * @param heads attention heads; a checkpoint does not record them (empty: hidden/64, right for Google's BERTs)
     * @param metadata extra {@code __metadata__} for model.safetensors, e.g. the source artifact
     */
    public static ModelFolder importCheckpoint(Path index, Path vocabTxt, boolean lowercase, OptionalInt heads,
            Path target, Map<String, String> metadata) {
        Vocabulary vocabulary = Vocabulary.read(vocabTxt);
        ImportedBert weights = readWeights(index, heads);
        if (vocabulary.size() != weights.config().vocabSize()) {
            throw new MalformedWeightsException(vocabTxt.toString(), "holds " + vocabulary.size()
                    + " tokens but the word embeddings in " + index + " have " + weights.config().vocabSize() + " rows");
        }
        return ModelFolder.write(target, weights, metadata, vocabulary,
                WordPieceTokenizerJson.build(vocabulary, lowercase));
    }


    /** The model weights under Hugging Face names and layout, with the config they imply; nothing written. */
    public static ImportedBert readWeights(Path index, OptionalInt heads) {
        TensorBundle bundle = TensorBundle.open(index);
        String source = index.toString();
        Map<String, TfVariableNames.Mapping> mappings = new LinkedHashMap<>();
        Map<String, String> variableOf = new TreeMap<>();
        SortedMap<String, long[]> shapes = new TreeMap<>();
        for (String variable : bundle.names()) {
            TfVariableNames.map(variable, source).ifPresent(mapping -> {
                String previous = variableOf.put(mapping.name(), variable);
                if (previous != null) {
                    throw new MalformedWeightsException(source, variable, "maps to " + mapping.name()
                            + " as '" + previous + "' does already");
                }
                long[] shape = bundle.shape(variable);
                shapes.put(mapping.name(), mapping.transpose() ? transposed(shape, source, variable) : shape);
                mappings.put(variable, mapping);
            });
        }
        BertConfig config = BertParameterLayout.deriveConfig(shapes, heads, source);
        BertParameterLayout layout = new BertParameterLayout(config);
        SortedMap<String, long[]> known = layout.all();
        shapes.keySet().forEach(name -> {
            if (!known.containsKey(name)) {
                throw TfVariableNames.unknown(variableOf.get(name), source);
            }
        });
        layout.check(shapes, source);

        SortedMap<String, HostTensor> tensors = new TreeMap<>();
        mappings.forEach((variable, mapping) -> {
            HostTensor tensor = bundle.read(variable);
            tensors.put(mapping.name(), mapping.transpose() ? tensor.transpose2d() : tensor);
        });
        return new ImportedBert(config, tensors);
    }

    private static long[] transposed(long[] shape, String source, String variable) {
        if (shape.length != 2) {
            throw new MalformedWeightsException(source, variable, "is a kernel but has rank " + shape.length);
        }
        return new long[] {shape[1], shape[0]};
    }
}
