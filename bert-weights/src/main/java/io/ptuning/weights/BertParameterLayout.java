package io.ptuning.weights;

import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensors a Hugging Face BERT has, by name and shape, for one {@link BertConfig}: what importers must
 * produce and what a model folder is checked against. Names are those of {@code BertForPreTraining}
 * without the {@code bert.} prefix on the encoder ({@code embeddings.*}, {@code encoder.layer.N.*},
 * {@code pooler.*}) and with the heads under {@code cls.*}.
 */
public record BertParameterLayout(BertConfig config) {

    /** BERT-base uses 64-wide heads; checkpoints do not record the head count, so this is the default guess. */
    public static final int DEFAULT_HEAD_SIZE = 64;

    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    /** Embeddings and encoder layers: every BERT has all of them. */
    public SortedMap<String, long[]> encoder() {
        long h = config.hiddenSize();
        long i = config.intermediateSize();
        SortedMap<String, long[]> shapes = new TreeMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {config.vocabSize(), h});
        shapes.put("embeddings.position_embeddings.weight", new long[] {config.maxPositionEmbeddings(), h});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {config.typeVocabSize(), h});
        shapes.put("embeddings.LayerNorm.weight", new long[] {h});
        shapes.put("embeddings.LayerNorm.bias", new long[] {h});
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            String p = "encoder.layer." + l + ".";
            for (String proj : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense"}) {
                shapes.put(p + proj + ".weight", new long[] {h, h});
                shapes.put(p + proj + ".bias", new long[] {h});
            }
            shapes.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            shapes.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            shapes.put(p + "intermediate.dense.weight", new long[] {i, h});
            shapes.put(p + "intermediate.dense.bias", new long[] {i});
            shapes.put(p + "output.dense.weight", new long[] {h, i});
            shapes.put(p + "output.dense.bias", new long[] {h});
            shapes.put(p + "output.LayerNorm.weight", new long[] {h});
            shapes.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        return shapes;
    }

    /** The [CLS] pooler of {@code BertModel}; sentence-embedding models such as MiniLM drop it. */
    public SortedMap<String, long[]> pooler() {
        long h = config.hiddenSize();
        SortedMap<String, long[]> shapes = new TreeMap<>();
        shapes.put("pooler.dense.weight", new long[] {h, h});
        shapes.put("pooler.dense.bias", new long[] {h});
        return shapes;
    }

    /**
     * The masked-LM head of {@code BertForMaskedLM}. Its decoder weight is tied to the word embeddings,
     * so importers do not write it; a folder that carries it anyway is accepted.
     */
    public SortedMap<String, long[]> maskedLmHead() {
        long h = config.hiddenSize();
        long v = config.vocabSize();
        SortedMap<String, long[]> shapes = new TreeMap<>();
        shapes.put("cls.predictions.transform.dense.weight", new long[] {h, h});
        shapes.put("cls.predictions.transform.dense.bias", new long[] {h});
        shapes.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
        shapes.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        shapes.put("cls.predictions.bias", new long[] {v});
        return shapes;
    }

    /** The next-sentence head of {@code BertForPreTraining}, kept when a checkpoint has it. */
    public SortedMap<String, long[]> nextSentenceHead() {
        SortedMap<String, long[]> shapes = new TreeMap<>();
        shapes.put("cls.seq_relationship.weight", new long[] {2, config.hiddenSize()});
        shapes.put("cls.seq_relationship.bias", new long[] {2});
        return shapes;
    }

    /** Every name a folder may hold, with its shape. */
    public SortedMap<String, long[]> all() {
        SortedMap<String, long[]> shapes = new TreeMap<>(encoder());
        shapes.putAll(pooler());
        shapes.putAll(maskedLmHead());
        shapes.put("cls.predictions.decoder.weight", new long[] {config.vocabSize(), config.hiddenSize()});
        shapes.put("cls.predictions.decoder.bias", new long[] {config.vocabSize()});
        shapes.putAll(nextSentenceHead());
        return shapes;
    }

    /**
     * Fails, naming {@code source} and the tensor, on a name BERT does not have, a shape that does not fit
     * the config, a missing encoder tensor, or a head present only in part.
     */
    public void check(Map<String, long[]> shapes, String source) {
        SortedMap<String, long[]> known = all();
        for (Map.Entry<String, long[]> tensor : new TreeMap<>(shapes).entrySet()) {
            long[] expected = known.get(tensor.getKey());
            if (expected == null) {
                throw new MalformedWeightsException(source, tensor.getKey(),
                        "is not a BERT parameter name (expected e.g. encoder.layer.0.attention.self.query.weight)");
            }
            if (!Arrays.equals(expected, tensor.getValue())) {
                throw new MalformedWeightsException(source, tensor.getKey(), "has shape "
                        + Arrays.toString(tensor.getValue()) + " but the config needs " + Arrays.toString(expected));
            }
        }
        requireAll(encoder(), shapes, source, "the encoder");
        requireAllOrNone(pooler(), shapes, source, "the pooler");
        requireAllOrNone(maskedLmHead(), shapes, source, "the masked-LM head");
        requireAllOrNone(nextSentenceHead(), shapes, source, "the next-sentence head");
    }

    private static void requireAllOrNone(Map<String, long[]> part, Map<String, long[]> shapes, String source, String what) {
        if (part.keySet().stream().anyMatch(shapes::containsKey)) {
            requireAll(part, shapes, source, what);
        }
    }

    private static void requireAll(Map<String, long[]> part, Map<String, long[]> shapes, String source, String what) {
        for (String name : part.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new MalformedWeightsException(source, name, "is missing; " + what + " needs it");
            }
        }
    }

    /**
     * The config that tensor shapes imply: sizes from the embedding tables and the first intermediate layer,
     * depth by counting layers. Checkpoints do not record the head count: pass it, or get hidden/64.
     */
    public static BertConfig deriveConfig(Map<String, long[]> shapes, OptionalInt heads, String source) {
        long[] words = require(shapes, "embeddings.word_embeddings.weight", 2, source);
        long[] positions = require(shapes, "embeddings.position_embeddings.weight", 2, source);
        long[] types = require(shapes, "embeddings.token_type_embeddings.weight", 2, source);
        long[] intermediate = require(shapes, "encoder.layer.0.intermediate.dense.weight", 2, source);
        int hidden = Math.toIntExact(words[1]);
        int layers = 0;
        for (String name : shapes.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        int headCount = heads.orElse(hidden / DEFAULT_HEAD_SIZE);
        if (headCount <= 0 || hidden % headCount != 0) {
            throw new MalformedWeightsException(source, "hidden size " + hidden + " does not split into "
                    + headCount + " attention heads; give the head count explicitly");
        }
        return new BertConfig(Math.toIntExact(words[0]), hidden, layers, headCount,
                Math.toIntExact(intermediate[0]), "gelu", 0.1, 0.1, Math.toIntExact(positions[0]),
                Math.toIntExact(types[0]), 1e-12, 0, "bert");
    }

    private static long[] require(Map<String, long[]> shapes, String name, int rank, String source) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new MalformedWeightsException(source, name, "is missing; the config cannot be derived without it");
        }
        if (shape.length != rank) {
            throw new MalformedWeightsException(source, name, "has shape " + Arrays.toString(shape)
                    + "; expected rank " + rank);
        }
        return shape;
    }
}
