package io.ptuning.weights.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Hugging Face {@code tokenizer.json} of a BERT WordPiece tokenizer, built from a vocab.txt: what
 * {@code BertTokenizerFast} saves (normalizer, pre-tokenizer, model, [CLS]/[SEP] template, decoder),
 * without padding or truncation: batches pad themselves, and {@link BertTokenizer} sets the length limit.
 */
public final class WordPieceTokenizerJson {

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    private static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private WordPieceTokenizerJson() {}

    /** tokenizer.json bytes (UTF-8) for {@code vocabulary}; {@code lowercase} as the model was trained. */
    public static byte[] build(Vocabulary vocabulary, boolean lowercase) {
        for (String special : SPECIAL_TOKENS) {
            if (!vocabulary.contains(special)) {
                throw new IllegalArgumentException("vocabulary has no " + special + "; not a BERT vocabulary");
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        SPECIAL_TOKENS.stream().sorted((a, b) -> vocabulary.id(a) - vocabulary.id(b)).forEach(token -> added.addObject()
                .put("id", vocabulary.id(token))
                .put("content", token)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true));
        root.putObject("normalizer")
                .put("type", "BertNormalizer")
                .put("clean_text", true)
                .put("handle_chinese_chars", true)
                .putNull("strip_accents")
                .put("lowercase", lowercase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        root.set("post_processor", template(vocabulary));
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", UNK);
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.put(vocabulary.token(id), id);
        }
        try {
            return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** {@code [CLS] $A [SEP]}, and for pairs {@code [CLS] $A [SEP] $B:1 [SEP]:1}. */
    private static ObjectNode template(Vocabulary vocabulary) {
        ObjectNode post = JSON.createObjectNode();
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, CLS, 0);
        sequence(single, "A", 0);
        special(single, SEP, 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, CLS, 0);
        sequence(pair, "A", 0);
        special(pair, SEP, 0);
        sequence(pair, "B", 1);
        special(pair, SEP, 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String token : List.of(CLS, SEP)) {
            ObjectNode entry = specials.putObject(token);
            entry.put("id", token);
            entry.putArray("ids").add(vocabulary.id(token));
            entry.putArray("tokens").add(token);
        }
        return post;
    }

    private static void special(ArrayNode pieces, String token, int typeId) {
        pieces.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
    }

    private static void sequence(ArrayNode pieces, String id, int typeId) {
        pieces.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
    }
}
