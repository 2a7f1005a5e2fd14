package io.ptuning.weights.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.weights.ImportedModels;
import io.ptuning.weights.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BertTokenizerTest {

    private static final int MAX_LENGTH = 128;
    private static ModelFolder bertBase;
    private static ModelFolder miniLm;
    private static BertTokenizer fromVocab;
    private static BertTokenizer shipped;

    @BeforeAll
    static void loadTokenizers() {
        bertBase = ImportedModels.bertBaseUncased();
        miniLm = ImportedModels.allMiniLmL6V2();
        fromVocab = BertTokenizer.load(bertBase.path(), MAX_LENGTH);
        shipped = BertTokenizer.load(miniLm.path(), MAX_LENGTH);
    }

    @AfterAll
    static void close() {
        fromVocab.close();
        shipped.close();
    }

    @Test
    void encodesAnSst2SentenceWithClsAndSep() {
        assertThat(fromVocab.encode("hide new secretions from the parental units"))
                .containsExactly(101, 5342, 2047, 3595, 8496, 2013, 1996, 18643, 3197, 102);
    }

    @Test
    void tokenizerBuiltFromVocabTxtMatchesTheShippedOneOnEverySst2DevSentence() throws IOException {
        List<String> sentences = sst2DevSentences();
        assertThat(sentences).hasSize(872);

        List<String> differing = new ArrayList<>();
        for (String sentence : sentences) {
            if (!java.util.Arrays.equals(fromVocab.encode(sentence), shipped.encode(sentence))) {
                differing.add(sentence);
            }
        }

        assertThat(differing).isEmpty();
    }

    @Test
    void shippedTokenizerNoLongerPadsTo128() {
        assertThat(shipped.encode("a charming journey")).hasSize(5);
    }

    @Test
    void truncatesToMaxLengthKeepingSep() {
        String longSentence = "good ".repeat(200);
        try (BertTokenizer short16 = BertTokenizer.load(miniLm.path(), 16)) {
            long[] ids = short16.encode(longSentence);

            assertThat(ids).hasSize(16);
            assertThat(ids[0]).isEqualTo(101);
            assertThat(ids[15]).isEqualTo(102);
        }
        assertThat(fromVocab.encode(longSentence)).hasSize(MAX_LENGTH);
    }

    @Test
    void fingerprintIsStableAndSeparatesFilesAndLengths() {
        try (BertTokenizer again = BertTokenizer.load(bertBase.path(), MAX_LENGTH);
                BertTokenizer other = BertTokenizer.load(bertBase.path(), 64)) {
            assertThat(again.fingerprint()).isEqualTo(fromVocab.fingerprint()).matches("[0-9a-f]{64}");
            assertThat(other.fingerprint()).isNotEqualTo(fromVocab.fingerprint());
            assertThat(shipped.fingerprint()).isNotEqualTo(fromVocab.fingerprint());
        }
    }

    @Test
    void vocabularyLooksUpWordsAndIds() {
        Vocabulary vocabulary = fromVocab.vocabulary();

        assertThat(fromVocab.vocabSize()).isEqualTo(30522);
        assertThat(vocabulary.id("paris")).isEqualTo(3000);
        assertThat(vocabulary.token(3000)).isEqualTo("paris");
        assertThat(vocabulary.id("[MASK]")).isEqualTo(103);
        assertThat(shipped.vocabulary().tokens()).isEqualTo(vocabulary.tokens());
    }

    private static List<String> sst2DevSentences() throws IOException {
        Path dev = Path.of(System.getProperty("sst2.dir", "../../shared/data/sst2")).resolve("dev.tsv");
        List<String> lines = Files.readAllLines(dev);
        assertThat(lines.get(0)).isEqualTo("sentence\tlabel");
        return lines.subList(1, lines.size()).stream().map(line -> line.substring(0, line.lastIndexOf('\t'))).toList();
    }
}
