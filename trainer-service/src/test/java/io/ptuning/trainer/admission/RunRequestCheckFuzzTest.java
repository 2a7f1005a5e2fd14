package io.ptuning.trainer.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * {@link RunRequestCheck#checkRecord}, the door of every {@code ptuning.runs} record, fed arbitrary bytes: its
 * documented outcomes are a verdict, Admitted or Refused with the reasons; it throws nothing. The broker and the model
 * cache are stand-ins (every topic holds the range, two models are known). Seeds and findings:
 * {@code src/test/resources/io/ptuning/trainer/admission/RunRequestCheckFuzzTestInputs/checkRecord/}.
 */
class RunRequestCheckFuzzTest {

    private static final RunRequestCheck CHECK = new RunRequestCheck(
            model -> model.equals("all-minilm-l6-v2") || model.equals("bert-base-uncased"),
            (topic, datasetVersion, from, to) -> List.of());

    @FuzzTest
    void checkRecord(byte[] value) {
        RunRequestCheck.Verdict verdict = CHECK.checkRecord(value, "r1");
        if (verdict instanceof RunRequestCheck.Refused refused) {
            assertThat(refused.problems()).isNotEmpty().doesNotContainNull();
        } else {
            assertThat(((RunRequestCheck.Admitted) verdict).request().runId()).isEqualTo("r1");
        }
    }
}
