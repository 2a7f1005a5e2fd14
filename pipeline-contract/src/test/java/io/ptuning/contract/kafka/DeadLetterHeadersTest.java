package io.ptuning.contract.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Every service's dead letters carry the headers SmallRye Reactive Messaging's dead-letter queue writes. */
class DeadLetterHeadersTest {

    @Test
    void theNamesAreSmallRyes() {
        assertThat(DeadLetterHeaders.REASON).isEqualTo("dead-letter-reason");
        assertThat(DeadLetterHeaders.TOPIC).isEqualTo("dead-letter-topic");
        assertThat(DeadLetterHeaders.PARTITION).isEqualTo("dead-letter-partition");
        assertThat(DeadLetterHeaders.OFFSET).isEqualTo("dead-letter-offset");
        assertThat(DeadLetterHeaders.RUN_ID).isEqualTo("dead-letter-run-id");
    }

    @Test
    void addsReasonAndSourceAsTextAndTheRunOnlyWhenThereIsOne() {
        Headers withRun = DeadLetterHeaders.add(new RecordHeaders(), "not a safetensors record", "sst2.batches.train", 2, 41L, "run-7");
        assertThat(text(withRun)).containsExactly(
                Map.entry("dead-letter-reason", "not a safetensors record"),
                Map.entry("dead-letter-topic", "sst2.batches.train"),
                Map.entry("dead-letter-partition", "2"),
                Map.entry("dead-letter-offset", "41"),
                Map.entry("dead-letter-run-id", "run-7"));

        Headers withoutRun = DeadLetterHeaders.add(new RecordHeaders(), "unknown method", "ptuning.checkpoints", 0, 3L, null);
        assertThat(text(withoutRun)).doesNotContainKey(DeadLetterHeaders.RUN_ID).hasSize(4);
    }

    private static Map<String, String> text(Headers headers) {
        Map<String, String> text = new LinkedHashMap<>();
        Arrays.stream(headers.toArray()).forEach(h -> text.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return text;
    }
}
