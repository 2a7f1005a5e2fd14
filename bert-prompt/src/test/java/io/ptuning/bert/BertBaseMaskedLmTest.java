package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bert-base-uncased imported from the TF checkpoint fills in masked words as the published model does. */
class BertBaseMaskedLmTest {

    static NDManager manager;
    static BertEncoder encoder;
    static BertTokenizer tokenizer;

    @BeforeAll
    static void load() {
        ModelFolder folder = RealModels.bertBaseUncased();
        manager = NDManager.newBaseManager();
        encoder = RealModels.load(folder, manager);
        tokenizer = BertTokenizer.load(folder.path(), 128);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        manager.close();
    }

    @Test
    void bertModelHasThePublishedParameterCount() {
        assertThat(encoder.weights().backboneParameterCount()).isEqualTo(109_482_240L);
        assertThat(encoder.weights().hasPooler()).isTrue();
    }

    @Test
    void theCapitalOfFranceIsParis() {
        assertThat(topWords("the capital of france is [MASK] .", 5)).first().isEqualTo("paris");
    }

    @Test
    void fillsTwoMoreEverydaySentences() {
        assertThat(topWords("the man went to the [MASK] to buy some milk .", 5)).first().isEqualTo("store");
        assertThat(topWords("i drink a cup of [MASK] every morning .", 5)).first().isEqualTo("coffee");
    }

    private static List<String> topWords(String sentence, int k) {
        long[] ids = tokenizer.encode(sentence);
        int maskId = tokenizer.vocabulary().id("[MASK]");
        int position = -1;
        for (int i = 0; i < ids.length; i++) {
            position = ids[i] == maskId ? i : position;
        }
        assertThat(position).as("[MASK] in %s", sentence).isPositive();
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(new long[][] {ids});
            NDArray mask = scope.ones(input.getShape(), input.getDataType());
            NDArray logits = new MaskedLmHead(encoder).logits(encoder.lastHiddenState(input, mask));
            NDArray scores = logits.get(0).get(position);
            long[] best = scores.argSort(0, false).get("0:" + k).toLongArray();
            List<String> words = new ArrayList<>();
            for (long id : best) {
                words.add(tokenizer.vocabulary().token((int) id));
            }
            return words;
        }
    }
}
