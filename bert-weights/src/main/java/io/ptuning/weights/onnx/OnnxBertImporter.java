package io.ptuning.weights.onnx;

import io.ptuning.weights.BertConfig;
import io.ptuning.weights.BertParameterLayout;
import io.ptuning.weights.ImportedBert;
import io.ptuning.weights.DType;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.MalformedWeightsException;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a BERT exported to ONNX by {@code torch.onnx} (e.g. sentence-transformers' all-MiniLM-L6-v2) into a
 * Hugging Face model folder. The exporter keeps most parameter names but folds every Linear weight into a
 * {@code MatMul} whose initializer it renames {@code onnx::MatMul_NNN} and stores [in, out]: those get the
 * name of the node that consumes them ({@code /encoder/layer.0/attention/self/query/MatMul} ->
 * {@code encoder.layer.0.attention.self.query.weight}) and are transposed back to [out, in].
 */
public final class OnnxBertImporter {

    private static final String MATMUL_SUFFIX = "/MatMul";

    private OnnxBertImporter() {}

    /**
     * Imports an ONNX model plus its (shipped) tokenizer.json into {@code target}.
     *
     * @param heads attention heads; ONNX graphs do not record them and MiniLM's 32-wide heads defeat the hidden/64 guess
     */
    public static ModelFolder importModel(byte[] onnx, String source, byte[] tokenizerJson, String tokenizerSource,
            int heads, Path target, Map<String, String> metadata) {
        ImportedBert weights = readWeights(onnx, source, heads);
        Vocabulary vocabulary = Vocabulary.fromTokenizerJson(tokenizerJson, tokenizerSource);
        if (vocabulary.size() != weights.config().vocabSize()) {
            throw new MalformedWeightsException(tokenizerSource, "holds " + vocabulary.size()
                    + " tokens but the word embeddings in " + source + " have " + weights.config().vocabSize() + " rows");
        }
        return ModelFolder.write(target, weights, metadata, vocabulary, tokenizerJson);
    }


    /** The model weights under Hugging Face names and layout, with the config they imply; nothing written. */
    public static ImportedBert readWeights(byte[] onnx, String source, int heads) {
        OnnxGraph graph = OnnxGraph.parse(onnx, source);
        Map<String, String> matMulWeights = new HashMap<>();
        for (OnnxGraph.Node node : graph.nodes()) {
            if ("MatMul".equals(node.opType()) && node.inputs().size() == 2
                    && graph.initializers().containsKey(node.inputs().get(1))
                    && node.name().endsWith(MATMUL_SUFFIX)) {
                String module = node.name().substring(0, node.name().length() - MATMUL_SUFFIX.length());
                matMulWeights.put(node.inputs().get(1), huggingFaceName(module.replaceFirst("^/", "").replace('/', '.')) + ".weight");
            }
        }
        SortedMap<String, HostTensor> tensors = new TreeMap<>();
        Map<String, String> initializerOf = new HashMap<>();
        graph.initializers().forEach((initializer, tensor) -> {
            String name;
            HostTensor value = tensor;
            if (matMulWeights.containsKey(initializer)) {
                name = matMulWeights.get(initializer);
                value = tensor.transpose2d();
            } else if (tensor.dtype() != DType.F32 || tensor.shape().length == 0) {
                return; // buffers (position_ids) and graph constants, not parameters
            } else {
                name = huggingFaceName(initializer);
            }
            String previous = initializerOf.put(name, initializer);
            if (previous != null) {
                throw new MalformedWeightsException(source, initializer, "maps to " + name + " as '" + previous + "' does already");
            }
            tensors.put(name, value);
        });
        Map<String, long[]> shapes = new TreeMap<>();
        tensors.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        BertConfig config = BertParameterLayout.deriveConfig(shapes, OptionalInt.of(heads), source);
        BertParameterLayout layout = new BertParameterLayout(config);
        SortedMap<String, long[]> known = layout.all();
        for (String name : tensors.keySet()) {
            if (!known.containsKey(name)) {
                throw new MalformedWeightsException(source, initializerOf.get(name), "maps to '" + name
                        + "', which is not a BERT parameter (expected embeddings.*, encoder.layer.N.*, pooler.*, cls.*)");
            }
        }
        layout.check(shapes, source);
        return new ImportedBert(config, tensors);
    }

    /** Exports of {@code BertForX} prefix the encoder with {@code bert.}; the folder layout does not. */
    private static String huggingFaceName(String name) {
        return name.startsWith("bert.") ? name.substring("bert.".length()) : name;
    }
}
