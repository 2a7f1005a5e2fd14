package io.ptuning.weights.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model folder's tokenizer.json run by the Hugging Face tokenizers library (through DJL): ids with
 * [CLS] and [SEP], truncated to {@code maxLength}, never padded (batches pad themselves), whatever
 * padding or truncation the file itself asks for.
 */
public final class BertTokenizer implements AutoCloseable {

    public static final String TOKENIZER_JSON = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final int maxLength;
    private final String fingerprint;

    private BertTokenizer(HuggingFaceTokenizer tokenizer, Vocabulary vocabulary, int maxLength, String fingerprint) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.maxLength = maxLength;
        this.fingerprint = fingerprint;
    }

    /** Loads {@code modelFolder/tokenizer.json}; encodings hold at most {@code maxLength} ids, [CLS] and [SEP] included. */
    public static BertTokenizer load(Path modelFolder, int maxLength) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for a token between [CLS] and [SEP]");
        }
        Path file = modelFolder.resolve(TOKENIZER_JSON);
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (is " + modelFolder
                    + " an imported model folder? see ImportModelCommand): " + e.getMessage(), e);
        }
        Vocabulary vocabulary = Vocabulary.fromTokenizerJson(json, file.toString());
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(true)
                    .optPadding(false)
                    .optTruncation(true)
                    .optMaxLength(maxLength)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
        if (!"DO_NOT_PAD".equals(tokenizer.getPadding()) || tokenizer.getMaxLength() != maxLength) {
            String actual = "padding " + tokenizer.getPadding() + ", max length " + tokenizer.getMaxLength();
            tokenizer.close();
            throw new IllegalStateException(file + ": tokenizer options did not take effect (" + actual + ")");
        }
        return new BertTokenizer(tokenizer, vocabulary, maxLength, fingerprint(json, maxLength));
    }

    /** Token ids of one sentence: [CLS], its WordPiece ids, [SEP]; at most {@link #maxLength()} of them. */
    public long[] encode(String sentence) {
        return tokenizer.encode(sentence).getIds();
    }

    public int vocabSize() {
        return vocabulary.size();
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Hex SHA-256 of the tokenizer.json bytes and the length limit: batches name the tokenizer that made them. */
    public String fingerprint() {
        return fingerprint;
    }

    private static String fingerprint(byte[] tokenizerJson, int maxLength) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tokenizerJson);
            sha.update(("\nmax_length=" + maxLength).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
