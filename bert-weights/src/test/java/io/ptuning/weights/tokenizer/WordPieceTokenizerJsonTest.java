package io.ptuning.weights.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ptuning.weights.ImportedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void equalsTheShippedMiniLmTokenizerJsonExceptPaddingAndTruncation() throws IOException {
        Vocabulary vocabulary = Vocabulary.read(ImportedModels.bertBaseUncased().vocabTxt());
        ObjectNode built = (ObjectNode) JSON.readTree(WordPieceTokenizerJson.build(vocabulary, true));
        ObjectNode shipped = (ObjectNode) JSON.readTree(Files.readAllBytes(ImportedModels.allMiniLmL6V2().tokenizerJson()));

        assertThat(built.get("padding").isNull()).isTrue();
        assertThat(built.get("truncation").isNull()).isTrue();
        assertThat(shipped.get("padding").path("strategy").path("Fixed").asInt()).isEqualTo(128);
        built.remove(List.of("padding", "truncation"));
        shipped.remove(List.of("padding", "truncation"));
        assertThat((JsonNode) built).isEqualTo(shipped);
    }

    @Test
    void lowercaseFollowsTheModel() throws IOException {
        Vocabulary vocabulary = new Vocabulary(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Paris"));

        JsonNode cased = JSON.readTree(WordPieceTokenizerJson.build(vocabulary, false));

        assertThat(cased.path("normalizer").path("lowercase").asBoolean()).isFalse();
        assertThat(cased.path("post_processor").path("special_tokens").path("[SEP]").path("ids").get(0).asInt()).isEqualTo(3);
    }

    @Test
    void refusesAVocabularyWithoutBertSpecialTokens() {
        Vocabulary vocabulary = new Vocabulary(List.of("[PAD]", "[UNK]", "hello"));

        assertThatThrownBy(() -> WordPieceTokenizerJson.build(vocabulary, true))
                .hasMessageContaining("[CLS]");
    }
}
