package io.ptuning.weights.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A WordPiece vocabulary: token i is line i of vocab.txt. Looks tokens up by id and ids by token. */
public final class Vocabulary {

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    public Vocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        Map<String, Integer> byToken = new HashMap<>();
        for (int i = 0; i < this.tokens.size(); i++) {
            Integer previous = byToken.putIfAbsent(this.tokens.get(i), i);
            if (previous != null) {
                throw new IllegalArgumentException("token '" + this.tokens.get(i) + "' appears twice, at ids "
                        + previous + " and " + i);
            }
        }
        this.ids = Collections.unmodifiableMap(byToken);
    }

    public static Vocabulary read(Path vocabTxt) {
        try {
            return parse(Files.readAllBytes(vocabTxt), vocabTxt.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + vocabTxt + ": " + e.getMessage(), e);
        }
    }

    /** Parses vocab.txt bytes: one token per line, LF or CRLF, a final newline optional. */
    public static Vocabulary parse(byte[] vocabTxt, String source) {
        String text = new String(vocabTxt, StandardCharsets.UTF_8);
        List<String> tokens = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isEmpty()) {
            tokens.remove(tokens.size() - 1);
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty vocabulary");
        }
        try {
            return new Vocabulary(tokens);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** The vocabulary of a WordPiece {@code tokenizer.json} ({@code model.vocab}: token -> id). */
    public static Vocabulary fromTokenizerJson(byte[] tokenizerJson, String source) {
        JsonNode vocab;
        try {
            vocab = new ObjectMapper().readTree(tokenizerJson).path("model").path("vocab");
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new IllegalArgumentException(source + ": no model.vocab object; not a WordPiece tokenizer.json");
        }
        String[] tokens = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            int id = entry.getValue().asInt(-1);
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new IllegalArgumentException(source + ": token '" + entry.getKey() + "' has id " + entry.getValue()
                        + "; ids must be 0.." + (tokens.length - 1) + ", each once");
            }
            tokens[id] = entry.getKey();
        }
        return new Vocabulary(List.of(tokens));
    }

    public void write(Path vocabTxt) {
        try {
            Files.write(vocabTxt, (String.join("\n", tokens) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write vocabulary " + vocabTxt + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return tokens.size();
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The id of {@code token} exactly as written (vocab entries of an uncased model are lower case). */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("token '" + token + "' is not in the vocabulary of " + tokens.size() + " tokens");
        }
        return id;
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("id " + id + " is outside the vocabulary 0.." + (tokens.size() - 1));
        }
        return tokens.get(id);
    }

    public List<String> tokens() {
        return tokens;
    }
}
