package io.ptuning.weights;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture of a BERT encoder, read from and written to a Hugging Face {@code config.json}
 * (field names as in {@code transformers.BertConfig}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BertConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("hidden_dropout_prob") double hiddenDropoutProb,
        @JsonProperty("attention_probs_dropout_prob") double attentionProbsDropoutProb,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("type_vocab_size") int typeVocabSize,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("pad_token_id") int padTokenId,
        @JsonProperty("model_type") String modelType) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BertConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (!"gelu".equals(hiddenAct) && !"gelu_new".equals(hiddenAct) && !"gelu_pytorch_tanh".equals(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh)");
        }
        if (modelType == null) {
            modelType = "bert";
        }
    }

    /** bert-base-uncased as published by Google (L=12, H=768, A=12). */
    public static BertConfig bertBaseUncased() {
        return new BertConfig(30522, 768, 12, 12, 3072, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0, "bert");
    }

    /** sentence-transformers/all-MiniLM-L6-v2 (L=6, H=384, A=12). */
    public static BertConfig allMiniLmL6V2() {
        return new BertConfig(30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0, "bert");
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** True for the tanh approximation of GELU, false for the exact erf form. */
    public boolean tanhGelu() {
        return !"gelu".equals(hiddenAct);
    }

    public static BertConfig read(Path configJson) {
        try {
            return JSON.readValue(configJson.toFile(), BertConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BERT config " + configJson + ": " + e.getMessage(), e);
        }
    }

    public void write(Path configJson) {
        try {
            Files.createDirectories(configJson.toAbsolutePath().getParent());
            JSON.writeValue(configJson.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write BERT config " + configJson + ": " + e.getMessage(), e);
        }
    }
}
