package io.ptuning.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.ptuning.prompt.PromptConfig;
import io.ptuning.prompt.PromptTunedBert;
import io.ptuning.training.PromptTrainer;
import io.ptuning.training.TrainingBatch;
import io.ptuning.training.TrainingConfig;
import io.ptuning.weights.HostTensor;
import io.ptuning.weights.ModelFolder;
import io.ptuning.weights.tokenizer.BertTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bert-base-uncased imported from the TF checkpoint: fills in masked words as the published model does, and
 * takes P-Tuning v2 steps with the formula's trainable-parameter count.
 */
class BertBaseUncasedTest {

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

    @Test
    void prefixTuningTrainsPslTimesTwoLTimesDPlusTheHeadAndTakesSteps() {
        PromptConfig config = PromptConfig.prefix(20);
        try (PromptTunedBert model = PromptTunedBert.initialize(encoder, config, 1, manager);
                PromptTrainer trainer = new PromptTrainer(model, TrainingConfig.adamW(1e-2), 2, manager)) {
            assertThat(model.trainableParameterCount()).isEqualTo(20L * 2 * 12 * 768 + 768 * 2 + 2);
            HostTensor before = model.state().get("prefix.embedding");
            List<long[]> rows = RealModels.sst2DevSentences().subList(0, 16).stream().map(tokenizer::encode).toList();
            PaddedBatch batch = PaddedBatch.of(rows);
            long[] shape = {batch.rows(), batch.length()};
            TrainingBatch training = new TrainingBatch(HostTensor.ofLongs(shape, flat(batch.ids())),
                    HostTensor.ofLongs(shape, flat(batch.mask())), HostTensor.ofLongs(new long[] {batch.rows()}, new long[batch.rows()]));
            for (int i = 0; i < 2; i++) {
                assertThat(trainer.step(training).loss()).isFinite().isPositive();
            }
            assertThat(model.state().get("prefix.embedding")).isNotEqualTo(before);
        }
    }

    private static long[] flat(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
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
