package io.ptuning.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ptuning.contract.BatchRecordCodec;
import io.ptuning.contract.EncodedBatch;
import io.ptuning.contract.JsonRecords;
import io.ptuning.contract.RunRequest;
import io.ptuning.contract.RunStatus;
import io.ptuning.contract.Topics;
import io.ptuning.contract.kafka.DeadLetterHeaders;
import io.ptuning.kafka.embedded.SharedKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Records a run cannot use go to the dead-letter topic with the reason; the run fails and the service goes on. */
@QuarkusTest
@QuarkusTestResource(TrainerTestResource.class)
class PoisonRecordTest {

    static final byte[] GARBAGE = "this is not a safetensors batch".getBytes(StandardCharsets.UTF_8);

    @Test
    void anUndecodableBatchReachesTheDeadLetterTopicWithItsReasonAndTheRunFails() {
        String topic = "synthetic.batches.poison";
        List<byte[]> values = new ArrayList<>(good(5));
        values.add(3, GARBAGE);
        BatchTopics.publish(topic, values);

        RunStatus end = requestAndAwait(RunRecords.request("poisoned", topic, 1, 0, Map.of()));

        assertThat(end.state()).isEqualTo(RunStatus.State.FAILED);
        assertThat(end.reason()).contains("undecodable batch record").contains(topic + "-0@3")
                .contains(Topics.deadLetter(topic));
        List<ConsumerRecord<String, byte[]>> dead = BatchTopics.read(Topics.deadLetter(topic), null, 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo(GARBAGE);
        assertThat(dead.get(0).key()).isEqualTo(BatchTopics.VERSION);
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).contains("not a safetensors record");
        assertThat(header(dead.get(0), DeadLetterHeaders.TOPIC)).isEqualTo(topic);
        assertThat(header(dead.get(0), DeadLetterHeaders.PARTITION)).isEqualTo("0");
        assertThat(header(dead.get(0), DeadLetterHeaders.OFFSET)).isEqualTo("3");
        assertThat(header(dead.get(0), DeadLetterHeaders.RUN_ID)).isEqualTo("poisoned");
    }

    @Test
    void aBatchOfAnotherTokenizerReachesTheDeadLetterTopicAndTheRunFails() {
        String topic = "synthetic.batches.foreign";
        List<EncodedBatch> batches = new ArrayList<>(BatchTopics.synthetic(3, 8, TrainerTestResource.tokenizerFingerprint, 5));
        batches.add(BatchTopics.synthetic(1, 8, "0".repeat(64), 6).get(0));
        BatchTopics.publish(topic, BatchTopics.encoded(batches));

        RunStatus end = requestAndAwait(RunRecords.request("foreign", topic, 1, 0, Map.of()));

        assertThat(end.state()).isEqualTo(RunStatus.State.FAILED);
        assertThat(end.reason()).contains("tokenizer fingerprint " + "0".repeat(64));
        List<ConsumerRecord<String, byte[]>> dead = BatchTopics.read(Topics.deadLetter(topic), null, 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo(BatchRecordCodec.encode(batches.get(3)));
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).contains("does not match the run's base model tokenizer");
    }

    @Test
    void afterAFailedRunTheServiceCompletesTheNextRun() {
        String poisoned = "synthetic.batches.poison-then-clean";
        List<byte[]> values = new ArrayList<>(good(2));
        values.add(GARBAGE);
        BatchTopics.publish(poisoned, values);
        String clean = "synthetic.batches.clean";
        BatchTopics.publish(clean, good(3));

        assertThat(requestAndAwait(RunRecords.request("fails-first", poisoned, 1, 0, Map.of())).state())
                .isEqualTo(RunStatus.State.FAILED);
        RunStatus next = requestAndAwait(RunRecords.request("served-after", clean, 2, 0, Map.of()));
        assertThat(next.state()).isEqualTo(RunStatus.State.COMPLETED);
        assertThat(next.step()).isEqualTo(6);
        assertThat(RunRecords.checkpoints("served-after", 2)).hasSize(2);
    }

    @Test
    void anUndecodableRunRequestGoesToTheRunsDeadLetterTopic() {
        byte[] notJson = "{\"run_id\": \"has a space\"".getBytes(StandardCharsets.UTF_8);
        send("bad-request", notJson);
        List<ConsumerRecord<String, byte[]>> dead = BatchTopics.read(Topics.deadLetter(Topics.RUNS), "bad-request", 1);
        assertThat(dead.get(0).value()).isEqualTo(notJson);
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).contains("not a valid RunRequest");
    }

    private static List<byte[]> good(int count) {
        return BatchTopics.encoded(BatchTopics.synthetic(count, 8, TrainerTestResource.tokenizerFingerprint, 3));
    }

    private static RunStatus requestAndAwait(RunRequest request) {
        send(request.runId(), JsonRecords.encode(request));
        return RunRecords.awaitEnd(request.runId());
    }

    private static void send(String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, key, value));
            producer.flush();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
